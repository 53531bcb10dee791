# awsctx for fisher: fish autoloads this the first time `awsctx` runs in a shell that has not
# loaded the integration (a script, or a shell started before awsctx was on PATH). It loads the
# integration, which defines the real `awsctx` function in place of this one, then runs the command.
function awsctx --description 'Switch AWS profiles and regions in this shell'
    if not command -q awsctx
        echo "awsctx: the awsctx program is not on PATH; install it, then open a new shell" >&2
        return 127
    end
    command awsctx init fish | source
    # Had the init failed (it said why), this function would still be `awsctx`: stop, do not loop.
    if not functions -q __awsctx_run
        return 1
    end
    awsctx $argv
end
