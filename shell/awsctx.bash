# shellcheck shell=bash
# awsctx shell integration for bash, printed by `awsctx init bash`.
# Load it from ~/.bashrc with:  eval "$(awsctx init bash)"
# Loading it twice changes nothing. Every name but `awsctx` is namespaced __awsctx_*; builtins are
# called as `\builtin NAME` so that a user's alias or function of the same name cannot intercept them.

# The program, by absolute path: the function shadows the `awsctx` on PATH.
__awsctx_run() {
    @AWSCTX_PROGRAM@ "$@"
}

# Commands that change this shell run the program in shell mode and apply what it prints, all or
# nothing; every other command runs the program directly, so that its output pipes.
awsctx() {
    case "${1-}" in
        @AWSCTX_DIRECT@)
            # Tells `awsctx doctor` the integration is loaded.
            @AWSCTX_VAR_INTEGRATION@=bash __awsctx_run "$@"
            return
            ;;
    esac
    if [[ $# -eq 0 && ! -t 1 ]]; then
        __awsctx_run
        return
    fi
    \builtin local __awsctx_code __awsctx_interactive="" __awsctx_status __awsctx_int_trap
    if [[ -t 0 && -t 1 ]]; then
        __awsctx_interactive=1
    fi
    __awsctx_code=$(@AWSCTX_VAR_SHELL_MODE@=bash @AWSCTX_VAR_INTERACTIVE@="$__awsctx_interactive" \
        @AWSCTX_VAR_PREVIOUS@="${__awsctx_previous-}" __awsctx_run "$@") || return
    # Ctrl-C is ignored while the code is applied, so the environment is never half-switched.
    __awsctx_int_trap=$(\builtin trap -p INT)
    \builtin trap '' INT
    \builtin eval "$__awsctx_code"
    __awsctx_status=$?
    # AWSCTX_SEGMENT is the new one at once, for a prompt program whose hook runs before awsctx's.
    __awsctx_prompt_now
    if [[ -n $__awsctx_int_trap ]]; then
        \builtin eval "$__awsctx_int_trap"
    else
        \builtin trap - INT
    fi
    return "$__awsctx_status"
}

# Tab: argcomplete's protocol. The program writes the candidates, already escaped for bash and
# separated by vertical tabs, on file descriptor 8.
__awsctx_complete() {
    \builtin local __awsctx_nospace=0 __awsctx_reply
    COMPREPLY=()
    if \builtin compopt +o nospace 2>/dev/null; then
        __awsctx_nospace=1
    fi
    __awsctx_reply=$(COMP_LINE="$COMP_LINE" COMP_POINT="$COMP_POINT" COMP_TYPE="${COMP_TYPE-}" \
        _ARGCOMPLETE=1 _ARGCOMPLETE_SHELL=bash _ARGCOMPLETE_SUPPRESS_SPACE="$__awsctx_nospace" \
        _ARGCOMPLETE_COMP_WORDBREAKS="${COMP_WORDBREAKS-}" \
        __awsctx_run 8>&1 9>/dev/null 1>/dev/null 2>/dev/null </dev/null) || return 0
    if [[ -z $__awsctx_reply ]]; then
        return 0
    fi
    # Split in memory (a here-string `read` costs a system call a byte) with globbing off, so that
    # a candidate holding `*` stays itself.
    \builtin local IFS=$'\013\n' __awsctx_noglob=0
    if [[ $- == *f* ]]; then
        __awsctx_noglob=1
    fi
    \builtin set -f
    # shellcheck disable=SC2206 # word splitting on IFS is the point here
    COMPREPLY=($__awsctx_reply)
    if [[ $__awsctx_noglob == 0 ]]; then
        \builtin set +f
    fi
    if [[ $__awsctx_nospace == 1 && ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=/:] ]]; then
        \builtin compopt -o nospace
    fi
}
\builtin complete -F __awsctx_complete awsctx

#@# The background refresh of MFA-session credentials: shell/refresh.sh, shared with zsh.
@AWSCTX_REFRESH_CODE@

#@# The prompt segment: shell/prompt.sh, shared with zsh.
@AWSCTX_PROMPT_CODE@

#@# A profile per folder: shell/folders.sh, shared with zsh.
@AWSCTX_FOLDERS_CODE@
