-- expect: tests/sandbox/inc/broken.lua:3: funnel[2].rate: expected a probability in [0, 1], got 1.5 (did you mean 0.015? a rate is a share, not a percentage)
-- An error in an included file names that file and its line.
return include "inc/broken.lua"
