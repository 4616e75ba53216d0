-- expect: include_absolute.lua:2: include "/etc/passwd": expected a path relative to this file's folder, got an absolute path
return include "/etc/passwd"
