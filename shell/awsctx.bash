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

# Tab. A profile name being typed (`awsctx NAME`, `awsctx use NAME`) is completed from a file of
# names awsctx keeps (awsctx/tabnames.py) without starting the program; anything else, and any
# doubt about the file, goes to the program: argcomplete's protocol, by which it writes the
# candidates, already escaped for bash and separated by vertical tabs, on file descriptor 8.
__awsctx_complete() {
    \builtin local __awsctx_nospace=0 __awsctx_reply
    COMPREPLY=()
    if \builtin compopt +o nospace 2>/dev/null; then
        __awsctx_nospace=1
    fi
    if __awsctx_complete_names; then
        # What the program adds when it cannot tell bash not to add a space.
        if [[ $__awsctx_nospace == 0 && ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} != *[=/:] ]]; then
            COMPREPLY[0]+=' '
        fi
    else
        __awsctx_reply=$(COMP_LINE="$COMP_LINE" COMP_POINT="$COMP_POINT" COMP_TYPE="${COMP_TYPE-}" \
            _ARGCOMPLETE=1 _ARGCOMPLETE_SHELL=bash _ARGCOMPLETE_SUPPRESS_SPACE="$__awsctx_nospace" \
            _ARGCOMPLETE_COMP_WORDBREAKS="${COMP_WORDBREAKS-}" \
            __awsctx_run 8>&1 9>/dev/null 1>/dev/null 2>/dev/null </dev/null) || return 0
        if [[ -z $__awsctx_reply ]]; then
            return 0
        fi
        # Split in memory (a here-string `read` costs a system call a byte) with globbing off, so
        # that a candidate holding `*` stays itself.
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
    fi
    if [[ $__awsctx_nospace == 1 && ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=/:] ]]; then
        \builtin compopt -o nospace
    fi
}

# Profile names from names.bash, into COMPREPLY; status 1 (nothing done) unless the line up to the
# cursor is plain words (printable ASCII, nothing that quotes, escapes or expands, nothing bash
# must see escaped) ending in a profile name being typed, and the file is awsctx's, the user's own,
# and made from the config files as they are now (their modification times, to the nanosecond,
# those of the stamps it names: shell/names.sh).
__awsctx_complete_names() {
    # Bytes compared as bytes, as the file is sorted (and with case: nocasematch is the program's).
    \builtin shopt -q nocasematch && return 1
    \builtin local LC_ALL=C __awsctx_line="${COMP_LINE:0:COMP_POINT}" __awsctx_prefix="" __awsctx_tags
    [[ $__awsctx_line != *[!\ -~$'\t']* && $__awsctx_line != *[\'\"\\\#\$\`]* ]] || return 1
    \builtin local -a __awsctx_words
    \builtin local IFS=$' \t' __awsctx_noglob=0
    if [[ $- == *f* ]]; then
        __awsctx_noglob=1
    fi
    \builtin set -f
    # shellcheck disable=SC2206 # word splitting on IFS is the point here
    __awsctx_words=($__awsctx_line)
    if [[ $__awsctx_noglob == 0 ]]; then
        \builtin set +f
    fi
    if [[ $__awsctx_line != *[\ $'\t'] ]]; then
        __awsctx_prefix=${__awsctx_words[${#__awsctx_words[@]}-1]-}
        __awsctx_words=("${__awsctx_words[@]:0:${#__awsctx_words[@]}-1}")
    fi
    # Not an option, nothing argcomplete escapes, no word break: as typed, the start of the
    # names as the file holds them (escaped).
    [[ $__awsctx_prefix != -* && $__awsctx_prefix != *[@AWSCTX_NAMES_ESCAPED@]* ]] || return 1
    if [[ -n ${COMP_WORDBREAKS-} && $__awsctx_prefix == *["$COMP_WORDBREAKS"]* ]]; then
        return 1
    fi
    if [[ ${#__awsctx_words[@]} -eq 1 ]]; then
        __awsctx_tags=@AWSCTX_NAMES_TAGS_FIRST@
    elif [[ ${#__awsctx_words[@]} -eq 2 && ${__awsctx_words[1]} == use ]]; then
        __awsctx_tags=@AWSCTX_NAMES_TAGS_USE@
    else
        return 1
    fi
    \builtin local __awsctx_dir __awsctx_file
    __awsctx_names_at @AWSCTX_NAMES_BASH_FILE@ || return 1
    \builtin local -a __awsctx_lines
    \builtin mapfile -t __awsctx_lines <"$__awsctx_file" 2>/dev/null || return 1
    __awsctx_names_current "${__awsctx_lines[0]-}" || return 1
    # A section a tag: `#TAG COUNT`, then its names, sorted. Halving finds the first name not before
    # the prefix, then the first after it that does not start with it (bash walks an array to reach
    # an element: one element costs little, a slice as much as the whole array).
    \builtin local __awsctx_at=1 __awsctx_tag __awsctx_count __awsctx_low __awsctx_high __awsctx_middle __awsctx_first
    for __awsctx_tag in @AWSCTX_NAMES_BASH_SECTIONS@; do
        __awsctx_count=${__awsctx_lines[__awsctx_at]-}
        [[ $__awsctx_count == "#$__awsctx_tag "[0-9]* ]] || return 1
        __awsctx_count=${__awsctx_count#"#$__awsctx_tag "}
        [[ $__awsctx_count != *[!0-9]* ]] || return 1
        if [[ " $__awsctx_tags " == *" $__awsctx_tag "* ]]; then
            __awsctx_low=$((__awsctx_at + 1)) __awsctx_high=$((__awsctx_at + 1 + __awsctx_count))
            while ((__awsctx_low < __awsctx_high)); do
                __awsctx_middle=$(((__awsctx_low + __awsctx_high) / 2))
                if [[ ${__awsctx_lines[__awsctx_middle]} < "$__awsctx_prefix" ]]; then
                    __awsctx_low=$((__awsctx_middle + 1))
                else
                    __awsctx_high=$__awsctx_middle
                fi
            done
            __awsctx_first=$__awsctx_low __awsctx_high=$((__awsctx_at + 1 + __awsctx_count))
            while ((__awsctx_low < __awsctx_high)); do
                __awsctx_middle=$(((__awsctx_low + __awsctx_high) / 2))
                if [[ ${__awsctx_lines[__awsctx_middle]} == "$__awsctx_prefix"* ]]; then
                    __awsctx_low=$((__awsctx_middle + 1))
                else
                    __awsctx_high=$__awsctx_middle
                fi
            done
            if ((__awsctx_low - __awsctx_first > @AWSCTX_NAMES_SLICE@)); then
                COMPREPLY+=("${__awsctx_lines[@]:__awsctx_first:__awsctx_low-__awsctx_first}")
            else
                for ((__awsctx_high = __awsctx_first; __awsctx_high < __awsctx_low; __awsctx_high++)); do
                    COMPREPLY+=("${__awsctx_lines[__awsctx_high]}")
                done
            fi
        fi
        __awsctx_at=$((__awsctx_at + 1 + __awsctx_count))
    done
}

#@# Where the names file is and whether it holds: shell/names.sh, shared with zsh.
@AWSCTX_NAMES_CODE@
\builtin complete -F __awsctx_complete awsctx

#@# The background refresh of MFA-session credentials: shell/refresh.sh, shared with zsh.
@AWSCTX_REFRESH_CODE@

#@# The prompt segment: shell/prompt.sh, shared with zsh.
@AWSCTX_PROMPT_CODE@

#@# A profile per folder: shell/folders.sh, shared with zsh.
@AWSCTX_FOLDERS_CODE@
