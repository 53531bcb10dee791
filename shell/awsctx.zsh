# awsctx shell integration for zsh, printed by `awsctx init zsh`.
# Load it from ~/.zshrc with:  eval "$(awsctx init zsh)"   (Tab needs compinit, before or after
# this line: run later, completion is registered at the next prompt; `awsctx doctor` says when not).
# Loading it twice changes nothing. Every name but `awsctx` is namespaced __awsctx_*; builtins are
# called as `\builtin NAME` so that a user's alias or function of the same name cannot intercept them.

# The program, by absolute path: the function shadows the `awsctx` on PATH.
__awsctx_run() {
    @AWSCTX_PROGRAM@ "$@"
}

# Commands that change this shell run the program in shell mode and apply what it prints, all or
# nothing; every other command runs the program directly, so that its output pipes.
awsctx() {
    \builtin emulate -L zsh
    case "${1-}" in
        @AWSCTX_DIRECT@)
            # Tells `awsctx doctor` the integration is loaded, and in an interactive zsh whether Tab
            # reaches awsctx: not until compinit has run.
            \builtin local __awsctx_tab=''
            if [[ -o interactive ]] && ! { (( ${+_comps} )) && [[ -n ${_comps[awsctx]+set} ]]; }; then
                __awsctx_tab=missing
            fi
            @AWSCTX_VAR_INTEGRATION@=zsh @AWSCTX_VAR_COMPLETION@=$__awsctx_tab __awsctx_run "$@"
            return
            ;;
    esac
    if [[ $# -eq 0 && ! -t 1 ]]; then
        __awsctx_run
        return
    fi
    \builtin local __awsctx_code __awsctx_interactive="" __awsctx_status
    if [[ -t 0 && -t 1 ]]; then
        __awsctx_interactive=1
    fi
    __awsctx_code=$(@AWSCTX_VAR_SHELL_MODE@=zsh @AWSCTX_VAR_INTERACTIVE@="$__awsctx_interactive" \
        @AWSCTX_VAR_PREVIOUS@="${__awsctx_previous-}" __awsctx_run "$@") || return
    # Ctrl-C is ignored while the code is applied, so the environment is never half-switched;
    # `emulate -L` restores the user's trap when the function returns.
    \builtin trap '' INT
    \builtin eval "$__awsctx_code"
    __awsctx_status=$?
    # AWSCTX_SEGMENT is the new one at once, for a prompt program whose hook runs before awsctx's.
    __awsctx_prompt_now
    return "$__awsctx_status"
}

# Tab: argcomplete's protocol. The program writes `candidate:description` pairs, escaped for zsh
# and separated by vertical tabs, on file descriptor 8.
__awsctx_complete() {
    # The completion system has set the options its functions need; extendedglob for the patterns.
    \builtin setopt localoptions extendedglob
    \builtin local __awsctx_line __awsctx_reply __awsctx_entry __awsctx_name __awsctx_status=1
    \builtin local -a __awsctx_plain __awsctx_described __awsctx_expl
    __awsctx_line="${(j: :)words[1,CURRENT]}"
    __awsctx_reply=$(COMP_LINE="$__awsctx_line" COMP_POINT="${#__awsctx_line}" \
        _ARGCOMPLETE=1 _ARGCOMPLETE_SHELL=zsh _ARGCOMPLETE_SUPPRESS_SPACE=1 \
        __awsctx_run 8>&1 9>/dev/null 1>/dev/null 2>/dev/null </dev/null) || return 1
    [[ -n $__awsctx_reply ]] || return 1
    # Candidates without a description (profiles, commands) go to compadd, sorted, as words
    # without their backslashes: compadd quotes what it inserts. Only those with one (flags) go
    # through _describe, which would list the others under a `--` of their own.
    for __awsctx_entry in "${(@ps:\013:)__awsctx_reply}"; do
        __awsctx_name=${(M)__awsctx_entry##([^:\\]|\\?)##}
        if [[ $__awsctx_entry == "$__awsctx_name:" ]]; then
            __awsctx_plain+=("${__awsctx_name//\\(#b)(?)/$match[1]}")
        elif [[ -n $__awsctx_entry ]]; then
            __awsctx_described+=("$__awsctx_entry")
        fi
    done
    if (( ${#__awsctx_plain} )); then
        _wanted awsctx __awsctx_expl 'awsctx' compadd -a __awsctx_plain && __awsctx_status=0
    fi
    if (( ${#__awsctx_described} )); then
        _describe -t awsctx-options 'awsctx' __awsctx_described && __awsctx_status=0
    fi
    return "$__awsctx_status"
}

# compdef exists once compinit has run: register now, or at the first prompt after it has.
__awsctx_register_completion() {
    if (( ${+functions[compdef]} )); then
        compdef __awsctx_complete awsctx
        precmd_functions=(${precmd_functions:#__awsctx_register_completion})
    fi
}
(( ${+precmd_functions} )) || typeset -ga precmd_functions
if (( ${+functions[compdef]} )); then
    compdef __awsctx_complete awsctx
elif (( ! ${precmd_functions[(Ie)__awsctx_register_completion]} )); then
    precmd_functions+=(__awsctx_register_completion)
fi

#@# The background refresh of MFA-session credentials: shell/refresh.sh, shared with bash.
@AWSCTX_REFRESH_CODE@

#@# The prompt segment: shell/prompt.sh, shared with bash.
@AWSCTX_PROMPT_CODE@

#@# A profile per folder: shell/folders.sh, shared with bash.
@AWSCTX_FOLDERS_CODE@
