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
            AWSCTX_INTEGRATION=bash __awsctx_run "$@"
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
    __awsctx_code=$(AWSCTX_SHELL=bash AWSCTX_INTERACTIVE="$__awsctx_interactive" \
        AWSCTX_PREVIOUS="${__awsctx_previous-}" __awsctx_run "$@") || return
    # Ctrl-C is ignored while the code is applied, so the environment is never half-switched.
    __awsctx_int_trap=$(\builtin trap -p INT)
    \builtin trap '' INT
    \builtin eval "$__awsctx_code"
    __awsctx_status=$?
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

# ---------------------------------------------------------------------------------------------------
# The prompt segment: profile, account, region and credential expiry of the active profile.
# Rendered before each prompt from the variables a switch exported, with builtins only: a prompt
# starts no process. PS1 holds the variable's name, never its value, so that nothing in a profile
# name or alias is ever run or read as a prompt escape. Settings and variables: docs/prompt.md.

# Whether this integration places the segment in PS1 (`awsctx init bash --no-prompt`: it does not).
__awsctx_prompt_place=@AWSCTX_PLACE_PROMPT@
# What the segment last put in PS1: the reference below, or with promptvars off the escaped text.
__awsctx_prompt_placed=${__awsctx_prompt_placed-}
# shellcheck disable=SC2016 # expanded by bash each time it draws the prompt
__awsctx_prompt_ref='${awsctx_prompt-}'
# What the last update was made from (the variables below, and PS1 as it left it), and until when
# (epoch seconds) the time left it shows holds ('': nothing counts down).
__awsctx_prompt_key='' __awsctx_prompt_seen='' __awsctx_prompt_ps1='' __awsctx_prompt_until=''
__awsctx_prompt_status=0 __awsctx_prompt_nounset='' __awsctx_prompt_text=''
awsctx_prompt=${awsctx_prompt-}

# Before every prompt: bring `awsctx_prompt` (for PS1: colours wrapped in \001 \002) and the
# exported AWSCTX_SEGMENT (its plain text, for prompt programs such as starship) up to date, and
# make sure PS1 shows the segment (a prompt command or theme may have set PS1 again). Most prompts
# find nothing changed: one comparison, kept lean because it runs before every prompt. Keeps $?
# for the prompt commands after it and for PS1.
__awsctx_prompt_hook() {
    __awsctx_prompt_status=$?
    # `$X` costs a third of `${X-}`; nounset would stop at the first unset one.
    [[ $- != *u* ]] || { \builtin set +u && __awsctx_prompt_nounset=1; }
    # The exported text (a switch unsets it), then everything the segment shows but the clock. A
    # change to one variable changes this; a switch changes the text.
    __awsctx_prompt_seen=$AWSCTX_SEGMENT$'\037'$AWS_PROFILE$AWS_REGION$AWS_DEFAULT_REGION$AWSCTX_PROFILE$AWSCTX_ACCOUNT_ID$AWSCTX_ACCOUNT_ALIAS$AWSCTX_EXPIRATION$AWSCTX_SSO_REFRESHABLE$AWSCTX_COLOR$AWSCTX_PROD$AWSCTX_PROMPT_FORMAT$NO_COLOR$COLORTERM
    if [[ $__awsctx_prompt_seen != "$__awsctx_prompt_key" || $PS1 != "$__awsctx_prompt_ps1" ]] ||
        { [[ -n $__awsctx_prompt_until ]] && ((EPOCHSECONDS >= __awsctx_prompt_until)); }; then
        __awsctx_prompt_update
    fi
    [[ -z $__awsctx_prompt_nounset ]] || { \builtin set -u && __awsctx_prompt_nounset=''; }
    return "$__awsctx_prompt_status"
}

# Public: the same, for themes and prompts of one's own (the init runs it before every prompt).
awsctx_prompt() {
    __awsctx_prompt_hook
}

# Something changed: render, and put the segment in PS1 when this integration places it.
__awsctx_prompt_update() {
    \builtin local __awsctx_new
    if [[ -z ${AWS_PROFILE-} ]]; then
        awsctx_prompt='' __awsctx_prompt_until=''
        [[ -z ${AWSCTX_SEGMENT+set} ]] || \builtin unset AWSCTX_SEGMENT
    else
        __awsctx_prompt_render
        [[ ${AWSCTX_SEGMENT-} == "$__awsctx_prompt_text" ]] || \builtin export AWSCTX_SEGMENT="$__awsctx_prompt_text"
    fi
    if [[ -n $__awsctx_prompt_place ]]; then
        if \builtin shopt -q promptvars; then
            __awsctx_new=$__awsctx_prompt_ref
        else
            # With promptvars off PS1 cannot name a variable: it holds the text, backslashes escaped.
            __awsctx_new=${awsctx_prompt//\\/\\\\}
        fi
        # In place of what the segment last put there; else in front, unless the user placed
        # `${awsctx_prompt}` in PS1 already.
        if [[ -n $__awsctx_prompt_placed && $PS1 == *"$__awsctx_prompt_placed"* ]]; then
            PS1=${PS1/"$__awsctx_prompt_placed"/"$__awsctx_new"}
        elif [[ $__awsctx_new != "$__awsctx_prompt_ref" || $PS1 != *awsctx_prompt* ]]; then
            PS1=$__awsctx_new$PS1
        fi
        __awsctx_prompt_placed=$__awsctx_new
    fi
    # The text holds no control character: \037 parts it from the rest.
    __awsctx_prompt_key=${AWSCTX_SEGMENT-}$'\037'${__awsctx_prompt_seen#*$'\037'}
    __awsctx_prompt_ps1=$PS1
}

# Render the segment from the variables into awsctx_prompt and __awsctx_prompt_text, and work out
# __awsctx_prompt_until.
__awsctx_prompt_render() {
    \builtin local __awsctx_profile="$AWS_PROFILE" __awsctx_id='' __awsctx_alias='' __awsctx_expiry='' \
        __awsctx_sgr='' __awsctx_color='' __awsctx_region="${AWS_REGION:-${AWS_DEFAULT_REGION-}}" \
        __awsctx_left __awsctx_minutes __awsctx_now __awsctx_text __awsctx_r __awsctx_g __awsctx_b __awsctx_i __awsctx_mark
    __awsctx_prompt_until=''
    # The facts describe AWSCTX_PROFILE: once AWS_PROFILE is changed by hand they no longer apply.
    if [[ ${AWSCTX_PROFILE-$__awsctx_profile} == "$__awsctx_profile" ]]; then
        __awsctx_id=${AWSCTX_ACCOUNT_ID-} __awsctx_alias=${AWSCTX_ACCOUNT_ALIAS-} __awsctx_color=${AWSCTX_COLOR-}
        # Digits only before arithmetic: bash evaluates what an arithmetic expression holds.
        __awsctx_left=${AWSCTX_EXPIRATION-}
        if [[ -n $__awsctx_left && $__awsctx_left != *[!0-9]* && ${#__awsctx_left} -le 12 ]]; then
            __awsctx_now=${EPOCHSECONDS-}
            [[ -n $__awsctx_now ]] || \builtin printf -v __awsctx_now '%(%s)T' -1
            __awsctx_left=$((10#$__awsctx_left - __awsctx_now))
            if ((__awsctx_left > 0)); then
                # Whole minutes rounded up ("0m left" would read as expired), the same on both
                # sides of an hour; shown anew when they change.
                __awsctx_minutes=$(((__awsctx_left + 59) / 60))
                if ((__awsctx_minutes >= 60)); then
                    \builtin printf -v __awsctx_expiry '%dh%02dm left' $((__awsctx_minutes / 60)) \
                        $((__awsctx_minutes % 60))
                else
                    __awsctx_expiry="${__awsctx_minutes}m left"
                fi
                __awsctx_prompt_until=$((${EPOCHSECONDS:+__awsctx_now + 1 + (__awsctx_left - 1) % 60}))
            elif [[ ${AWSCTX_SSO_REFRESHABLE-} == 1 ]]; then
                __awsctx_expiry=refreshable
            else
                __awsctx_expiry=expired
            fi
        fi
        if [[ -z ${NO_COLOR-} ]]; then
            if [[ ${#__awsctx_color} -eq 6 && $__awsctx_color != *[!0-9a-fA-F]* ]]; then
                __awsctx_r=$((16#${__awsctx_color:0:2})) __awsctx_g=$((16#${__awsctx_color:2:2}))
                __awsctx_b=$((16#${__awsctx_color:4:2}))
                if [[ ${COLORTERM-} == truecolor || ${COLORTERM-} == 24bit ]]; then
                    __awsctx_sgr="38;2;$__awsctx_r;$__awsctx_g;$__awsctx_b"
                else
                    # The nearest colour of the 256-colour cube, whose levels are 0, 95, 135, ... 255.
                    __awsctx_r=$((__awsctx_r < 48 ? 0 : __awsctx_r < 115 ? 1 : (__awsctx_r - 35) / 40))
                    __awsctx_g=$((__awsctx_g < 48 ? 0 : __awsctx_g < 115 ? 1 : (__awsctx_g - 35) / 40))
                    __awsctx_b=$((__awsctx_b < 48 ? 0 : __awsctx_b < 115 ? 1 : (__awsctx_b - 35) / 40))
                    __awsctx_sgr="38;5;$((16 + 36 * __awsctx_r + 6 * __awsctx_g + __awsctx_b))"
                fi
                [[ ${AWSCTX_PROD-} != 1 ]] || __awsctx_sgr="1;$__awsctx_sgr"
            elif [[ ${AWSCTX_PROD-} == 1 ]]; then
                __awsctx_sgr='1;31'
            fi
        fi
    fi
    [[ -n $__awsctx_sgr || -n ${NO_COLOR-} ]] || __awsctx_sgr=33
    # Control characters (escape sequences, newlines) are shown as `?`, never sent to the terminal.
    if [[ $__awsctx_profile$__awsctx_id$__awsctx_alias$__awsctx_region == *[[:cntrl:]]* ]]; then
        __awsctx_profile=${__awsctx_profile//[[:cntrl:]]/?} __awsctx_id=${__awsctx_id//[[:cntrl:]]/?}
        __awsctx_alias=${__awsctx_alias//[[:cntrl:]]/?} __awsctx_region=${__awsctx_region//[[:cntrl:]]/?}
    fi
    if [[ -z ${AWSCTX_PROMPT_FORMAT-} ]]; then
        __awsctx_text="aws:$__awsctx_profile${__awsctx_alias:+ $__awsctx_alias}"
        [[ -n $__awsctx_alias ]] || __awsctx_text+="${__awsctx_id:+ $__awsctx_id}"
        __awsctx_text+="${__awsctx_region:+ $__awsctx_region}${__awsctx_expiry:+ $__awsctx_expiry}"
    else
        # Placeholders become control characters first (none is left in a value), so that a value
        # holding `{region}` stays itself. An empty one takes a space next to it along.
        __awsctx_text=${AWSCTX_PROMPT_FORMAT//[[:cntrl:]]/?}
        __awsctx_text=${__awsctx_text//'{profile}'/$'\021'}
        __awsctx_text=${__awsctx_text//'{account}'/$'\022'}
        __awsctx_text=${__awsctx_text//'{account_id}'/$'\023'}
        __awsctx_text=${__awsctx_text//'{alias}'/$'\024'}
        __awsctx_text=${__awsctx_text//'{region}'/$'\025'}
        __awsctx_text=${__awsctx_text//'{expiry}'/$'\026'}
        \builtin local -a __awsctx_values
        __awsctx_values=("$__awsctx_profile" "${__awsctx_alias:-$__awsctx_id}" "$__awsctx_id" "$__awsctx_alias"
            "$__awsctx_region" "$__awsctx_expiry")
        for __awsctx_i in 0 1 2 3 4 5; do
            __awsctx_mark=${__awsctx_marks:__awsctx_i:1}
            if [[ -n ${__awsctx_values[__awsctx_i]} ]]; then
                __awsctx_text=${__awsctx_text//"$__awsctx_mark"/"${__awsctx_values[__awsctx_i]}"}
            else
                __awsctx_text=${__awsctx_text//" $__awsctx_mark"/}
                __awsctx_text=${__awsctx_text//"$__awsctx_mark "/}
                __awsctx_text=${__awsctx_text//"$__awsctx_mark"/}
            fi
        done
    fi
    __awsctx_prompt_text=$__awsctx_text
    if [[ -n $__awsctx_sgr ]]; then
        awsctx_prompt=$'\001\e['"$__awsctx_sgr"$'m\002'"$__awsctx_text"$'\001\e[0m\002 '
    else
        awsctx_prompt="$__awsctx_text "
    fi
}
__awsctx_marks=$'\021\022\023\024\025\026'

# Run the hook last before each prompt (after whatever sets PS1), once however often this is loaded:
# through bash-preexec's precmd_functions when it is there, else in PROMPT_COMMAND, array or string.
if [[ ${__bp_imported-} == defined ]]; then
    [[ " ${precmd_functions[*]-} " == *' __awsctx_prompt_hook '* ]] || precmd_functions+=(__awsctx_prompt_hook)
elif [[ -n ${PROMPT_COMMAND+set} && ${BASH_VERSINFO[0]}${BASH_VERSINFO[1]} -ge 51 && ${PROMPT_COMMAND@a} == *a* ]]; then
    [[ " ${PROMPT_COMMAND[*]} " == *__awsctx_prompt_hook* ]] || PROMPT_COMMAND+=(__awsctx_prompt_hook)
elif [[ ${PROMPT_COMMAND-} != *__awsctx_prompt_hook* ]]; then
    # shellcheck disable=SC2128,SC2178 # a string here, not an array
    PROMPT_COMMAND=${PROMPT_COMMAND:+$PROMPT_COMMAND$'\n'}__awsctx_prompt_hook
fi
# Loaded again with --no-prompt: take the segment out of PS1.
if [[ -z $__awsctx_prompt_place && -n $__awsctx_prompt_placed ]]; then
    PS1=${PS1/"$__awsctx_prompt_placed"/}
    __awsctx_prompt_placed=''
fi
