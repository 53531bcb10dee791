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

# Tab. A profile name being typed (`awsctx NAME`, `awsctx use NAME`) is completed from a file of
# names awsctx keeps (awsctx/tabnames.py) without starting the program; anything else, and any
# doubt about the file, goes to the program: argcomplete's protocol, by which it writes
# `candidate:description` pairs, escaped for zsh and separated by vertical tabs, on file descriptor 8.
__awsctx_complete() {
    # The completion system has set the options its functions need; extendedglob for the patterns.
    \builtin setopt localoptions extendedglob
    \builtin local __awsctx_line __awsctx_reply __awsctx_entry __awsctx_name __awsctx_status=1
    \builtin local -a __awsctx_plain __awsctx_described __awsctx_expl
    if ! __awsctx_complete_names; then
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
    fi
    if (( ${#__awsctx_plain} )); then
        _wanted awsctx __awsctx_expl 'awsctx' compadd -a __awsctx_plain && __awsctx_status=0
    fi
    if (( ${#__awsctx_described} )); then
        _describe -t awsctx-options 'awsctx' __awsctx_described && __awsctx_status=0
    fi
    return "$__awsctx_status"
}

# Profile names from the file `names`, into __awsctx_plain (the caller's); status 1 (nothing done)
# unless the line is plain words (printable ASCII, nothing that quotes, escapes or expands, words
# parted by spaces) ending in a profile name being typed, and the file is awsctx's, the user's own
# and written by no one else (zsh/stat), and made from the config files as they are now (their
# modification times, to the nanosecond, those of the stamps it names: shell/names.sh).
__awsctx_complete_names() {
    \builtin emulate -L zsh
    \builtin local LC_ALL=C __awsctx_line="${(j: :)words[1,CURRENT]}" __awsctx_prefix="${words[CURRENT]-}" __awsctx_tags
    [[ $__awsctx_line != *[^\ -~]* && $__awsctx_line != *[\'\"\\\#\$\`]* && $__awsctx_prefix != -* ]] ||
        return 1
    if (( CURRENT == 2 )); then
        __awsctx_tags=@AWSCTX_NAMES_TAG_CLASS_FIRST@
    elif (( CURRENT == 3 )) && [[ ${words[2]} == use ]]; then
        __awsctx_tags=@AWSCTX_NAMES_TAG_CLASS_USE@
    else
        return 1
    fi
    \builtin local __awsctx_dir __awsctx_file
    \builtin local -a __awsctx_lines __awsctx_modes
    __awsctx_names_at @AWSCTX_NAMES_FILE@ || return 1
    # Neither the folder nor the file writable by group or others (modules that ship with zsh).
    \builtin zmodload -F zsh/stat b:zstat 2>/dev/null && \builtin zmodload -F zsh/mapfile p:mapfile 2>/dev/null ||
        return 1
    \builtin zstat -A __awsctx_modes +mode -- $__awsctx_dir $__awsctx_file 2>/dev/null || return 1
    (( ! (__awsctx_modes[1] & 8#22) && ! (__awsctx_modes[2] & 8#22) )) || return 1
    __awsctx_lines=("${(@f)mapfile[$__awsctx_file]}")
    __awsctx_names_current "${__awsctx_lines[1]-}" || return 1
    # Each line is a tag and a name: the lines of the tags offered here that start with the prefix.
    __awsctx_plain=(${(M)__awsctx_lines[2,-1]:#[$__awsctx_tags]$__awsctx_prefix*})
    __awsctx_plain=("${(@)__awsctx_plain#?}")
    return 0
}

#@# Where the names file is and whether it holds: shell/names.sh, shared with bash.
@AWSCTX_NAMES_CODE@

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
