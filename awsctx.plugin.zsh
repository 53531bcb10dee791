# awsctx for zsh plugin managers (oh-my-zsh, zinit, antidote, and others that source
# NAME.plugin.zsh from the top of a repository): loads the same shell integration as the line
# `eval "$(awsctx init zsh)"`, once the awsctx program is installed and on PATH; silent otherwise.
# Settings such as AWSCTX_NO_PROMPT=1 and AWSCTX_NO_FOLDERS=1 apply as they do to that line.
# The integration itself is printed by the installed awsctx, so it always matches the program.
if (( ${+commands[awsctx]} )); then
    eval "$("${commands[awsctx]}" init zsh)"
fi
