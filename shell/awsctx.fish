# awsctx shell integration for fish, printed by `awsctx init fish`.
# Load it from ~/.config/fish/config.fish with:  awsctx init fish | source
# Loading it twice changes nothing. Every name but `awsctx` is namespaced __awsctx_*; builtins are
# called as `builtin NAME` so that a user's function of the same name cannot intercept them.

# The program, by absolute path: the function shadows the `awsctx` on PATH.
function __awsctx_run
    @AWSCTX_PROGRAM@ $argv
end

# Commands that change this shell run the program in shell mode and apply what it prints, all or
# nothing; every other command runs the program directly, so that its output pipes.
function awsctx --description 'Switch AWS profiles and regions in this shell'
    switch "$argv[1]"
        case @AWSCTX_DIRECT@
            __awsctx_run $argv
            return
    end
    if builtin test (builtin count $argv) -eq 0; and not builtin test -t 1
        __awsctx_run
        return
    end
    builtin set -l __awsctx_interactive ''
    if builtin test -t 0; and builtin test -t 1
        builtin set __awsctx_interactive 1
    end
    builtin set -l __awsctx_code (AWSCTX_SHELL=fish AWSCTX_INTERACTIVE=$__awsctx_interactive \
        AWSCTX_PREVIOUS="$__awsctx_previous" __awsctx_run $argv | builtin string collect)
    builtin set -l __awsctx_status $pipestatus[1]
    if builtin test $__awsctx_status -ne 0
        return $__awsctx_status
    end
    builtin eval $__awsctx_code
end

# Tab: argcomplete's protocol. The program writes one `candidate<TAB>description` a line on file
# descriptor 8; fish escapes what it inserts.
function __awsctx_complete
    builtin set -lx COMP_LINE (builtin commandline -p | builtin string collect)
    builtin set -lx COMP_POINT (builtin commandline -cp | builtin string collect | builtin string length)
    _ARGCOMPLETE=1 _ARGCOMPLETE_SHELL=fish _ARGCOMPLETE_IFS=\n _ARGCOMPLETE_DFS=\t _ARGCOMPLETE_SUPPRESS_SPACE=1 \
        __awsctx_run 8>&1 9>/dev/null 1>/dev/null 2>/dev/null </dev/null
end
builtin complete --command awsctx --erase
builtin complete --command awsctx --no-files --arguments '(__awsctx_complete)'
