-- expect: tests/bad_cli/error_call.lua:2: the budget file is not ready
error("the budget file is not ready")
