# awsctx for fisher (`fisher install OWNER/awsctx` copies conf.d/ and functions/ into your fish
# configuration), run by fish at start-up: loads the same shell integration as the line
# `awsctx init fish | source` in an interactive shell, once the awsctx program is installed and on
# PATH; silent otherwise. Settings such as AWSCTX_NO_PROMPT=1 apply as they do to that line.
# Non-interactive shells start no program for it: functions/awsctx.fish loads it on first use.
if status is-interactive; and command -q awsctx
    command awsctx init fish | source
end
