# awsctx shell integration for zsh, printed by `awsctx init zsh`.
# Load it from ~/.zshrc with:  eval "$(awsctx init zsh)"   (after compinit, for Tab; if compinit
# runs later, completion is registered at the next prompt).
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
            # Tells `awsctx doctor` the integration is loaded.
            AWSCTX_INTEGRATION=zsh __awsctx_run "$@"
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
    __awsctx_code=$(AWSCTX_SHELL=zsh AWSCTX_INTERACTIVE="$__awsctx_interactive" \
        AWSCTX_PREVIOUS="${__awsctx_previous-}" __awsctx_run "$@") || return
    # Ctrl-C is ignored while the code is applied, so the environment is never half-switched;
    # `emulate -L` restores the user's trap when the function returns.
    \builtin trap '' INT
    \builtin eval "$__awsctx_code"
}

# Tab: argcomplete's protocol. The program writes `candidate:description` pairs, escaped for zsh
# and separated by vertical tabs, on file descriptor 8.
__awsctx_complete() {
    # No `emulate` here: the completion system has set the options its functions need.
    \builtin local __awsctx_line __awsctx_reply
    \builtin local -a __awsctx_candidates
    __awsctx_line="${(j: :)words[1,CURRENT]}"
    __awsctx_reply=$(COMP_LINE="$__awsctx_line" COMP_POINT="${#__awsctx_line}" \
        _ARGCOMPLETE=1 _ARGCOMPLETE_SHELL=zsh _ARGCOMPLETE_SUPPRESS_SPACE=1 \
        __awsctx_run 8>&1 9>/dev/null 1>/dev/null 2>/dev/null </dev/null) || return 1
    __awsctx_candidates=("${(@ps:\013:)__awsctx_reply}")
    [[ -n $__awsctx_reply ]] || return 1
    _describe -t awsctx 'awsctx' __awsctx_candidates -o nosort
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

# ---------------------------------------------------------------------------------------------------
# The prompt segment: profile, account, region and credential expiry of the active profile.
# Rendered before each prompt from the variables a switch exported, with builtins only: a prompt
# starts no process. With prompt_subst on, PS1 holds the variable's name, never its value; with it
# off, PS1 holds the text with every `%` doubled, which zsh then shows as it is. Either way nothing
# in a profile name or alias is ever run or read as a prompt escape. Settings: docs/prompt.md.

# Whether this integration places the segment in PS1 (`awsctx init zsh --no-prompt`: it does not).
typeset -g __awsctx_prompt_place=@AWSCTX_PLACE_PROMPT@
# What the segment last put in PS1: the reference below, or with prompt_subst off the escaped text.
typeset -g __awsctx_prompt_placed=${__awsctx_prompt_placed-}
typeset -g __awsctx_prompt_ref='${awsctx_prompt-}'
# What the last update was made from (the variables below, prompt_subst, and PS1 as it left it),
# and until when (epoch seconds) the time left it shows holds ('': nothing counts down).
typeset -g __awsctx_prompt_key='' __awsctx_prompt_seen='' __awsctx_prompt_ps1='' __awsctx_prompt_until=''
typeset -g __awsctx_prompt_subst=''
typeset -g __awsctx_prompt_text='' awsctx_prompt=${awsctx_prompt-}
typeset -gi __awsctx_prompt_status=0
# $EPOCHSECONDS, from a module that ships with zsh (loading it starts no process).
\builtin zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null || \builtin true

# Before every prompt: bring `awsctx_prompt` (for PS1: `%` doubled, colours inside %{ %}) and the
# exported AWSCTX_SEGMENT (its plain text, for prompt programs such as starship) up to date, and
# make sure PS1 shows the segment (a hook or theme may have set PS1 again). Most prompts find
# nothing changed: one comparison, kept lean because it runs before every prompt. Keeps $?.
__awsctx_prompt_hook() {
    __awsctx_prompt_status=$?
    # The exported text (a switch unsets it), then everything the segment shows but the clock. A
    # change to one variable changes this; a switch changes the text.
    __awsctx_prompt_seen=${AWSCTX_SEGMENT-}$'\037'${AWS_PROFILE-}${AWS_REGION-}${AWS_DEFAULT_REGION-}${AWSCTX_PROFILE-}${AWSCTX_ACCOUNT_ID-}${AWSCTX_ACCOUNT_ALIAS-}${AWSCTX_EXPIRATION-}${AWSCTX_SSO_REFRESHABLE-}${AWSCTX_COLOR-}${AWSCTX_PROD-}${AWSCTX_PROMPT_FORMAT-}${NO_COLOR-}${COLORTERM-}
    # Turning prompt_subst on or off changes how the segment must sit in PS1: text placed while it
    # was off would be expanded once it is on.
    if [[ $__awsctx_prompt_seen != "$__awsctx_prompt_key" || $PS1 != "$__awsctx_prompt_ps1" ||
        ( -o promptsubst && -z $__awsctx_prompt_subst ) || ( ! -o promptsubst && -n $__awsctx_prompt_subst ) ]] ||
        { [[ -n $__awsctx_prompt_until ]] && ((${EPOCHSECONDS:-0} >= __awsctx_prompt_until)); }; then
        __awsctx_prompt_update
    fi
    return __awsctx_prompt_status
}

# Public: the same, for themes and prompts of one's own (the init runs it before every prompt).
awsctx_prompt() {
    __awsctx_prompt_hook
}

# Something changed: render, and put the segment in PS1 when this integration places it.
__awsctx_prompt_update() {
    # The user's prompt options, read before `emulate` sets options of its own for this function.
    \builtin local __awsctx_subst='' __awsctx_bang='' __awsctx_new
    [[ ! -o prompt_subst ]] || __awsctx_subst=1
    [[ ! -o prompt_bang ]] || __awsctx_bang=1
    \builtin emulate -L zsh
    if [[ -z ${AWS_PROFILE-} ]]; then
        awsctx_prompt='' __awsctx_prompt_until=''
        [[ -z ${AWSCTX_SEGMENT+set} ]] || \builtin unset AWSCTX_SEGMENT
    else
        __awsctx_prompt_render
        [[ ${AWSCTX_SEGMENT-} == "$__awsctx_prompt_text" ]] || \builtin export AWSCTX_SEGMENT="$__awsctx_prompt_text"
        # With prompt_bang, `!` is an escape too.
        [[ -z $__awsctx_bang ]] || awsctx_prompt=${awsctx_prompt//\!/!!}
    fi
    if [[ -n $__awsctx_prompt_place ]]; then
        if [[ -n $__awsctx_subst ]]; then
            __awsctx_new=$__awsctx_prompt_ref
        else
            __awsctx_new=$awsctx_prompt
        fi
        # In place of what the segment last put there; else in front, unless the user placed
        # `${awsctx_prompt}` in PS1 already.
        if [[ -n $__awsctx_prompt_placed && $PS1 == *"$__awsctx_prompt_placed"* ]]; then
            PS1=${PS1/"$__awsctx_prompt_placed"/$__awsctx_new}
        elif [[ $__awsctx_new != "$__awsctx_prompt_ref" || $PS1 != *awsctx_prompt* ]]; then
            PS1=$__awsctx_new$PS1
        fi
        __awsctx_prompt_placed=$__awsctx_new
    fi
    # The text holds no control character: \037 parts it from the rest.
    __awsctx_prompt_key=${AWSCTX_SEGMENT-}$'\037'${__awsctx_prompt_seen#*$'\037'}
    __awsctx_prompt_ps1=$PS1 __awsctx_prompt_subst=$__awsctx_subst
}

# Render the segment from the variables into awsctx_prompt and __awsctx_prompt_text, and work out
# __awsctx_prompt_until.
__awsctx_prompt_render() {
    \builtin local __awsctx_profile="$AWS_PROFILE" __awsctx_id='' __awsctx_alias='' __awsctx_expiry='' \
        __awsctx_sgr='' __awsctx_color='' __awsctx_region="${AWS_REGION:-${AWS_DEFAULT_REGION-}}" \
        __awsctx_left __awsctx_minutes __awsctx_now __awsctx_text __awsctx_r __awsctx_g __awsctx_b __awsctx_i __awsctx_mark
    \builtin local -a __awsctx_values
    __awsctx_prompt_until=''
    # The facts describe AWSCTX_PROFILE: once AWS_PROFILE is changed by hand they no longer apply.
    if [[ ${AWSCTX_PROFILE-$__awsctx_profile} == "$__awsctx_profile" ]]; then
        __awsctx_id=${AWSCTX_ACCOUNT_ID-} __awsctx_alias=${AWSCTX_ACCOUNT_ALIAS-} __awsctx_color=${AWSCTX_COLOR-}
        # Digits only before arithmetic, which would evaluate whatever the variable holds.
        __awsctx_left=${AWSCTX_EXPIRATION-}
        if [[ -n $__awsctx_left && $__awsctx_left != *[^0-9]* && ${#__awsctx_left} -le 12 ]]; then
            __awsctx_now=${EPOCHSECONDS-}
            if [[ -z $__awsctx_now ]]; then
                __awsctx_now='%D{%s}'
                __awsctx_now=${(%)__awsctx_now}
            fi
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
            if [[ ${#__awsctx_color} -eq 6 && $__awsctx_color != *[^0-9a-fA-F]* ]]; then
                __awsctx_r=$((16#${__awsctx_color[1,2]})) __awsctx_g=$((16#${__awsctx_color[3,4]}))
                __awsctx_b=$((16#${__awsctx_color[5,6]}))
                if [[ ${COLORTERM-} == (truecolor|24bit) ]]; then
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
        __awsctx_values=("$__awsctx_profile" "${__awsctx_alias:-$__awsctx_id}" "$__awsctx_id" "$__awsctx_alias"
            "$__awsctx_region" "$__awsctx_expiry")
        for __awsctx_i in 1 2 3 4 5 6; do
            __awsctx_mark=${__awsctx_marks[__awsctx_i]}
            if [[ -n ${__awsctx_values[__awsctx_i]} ]]; then
                __awsctx_text=${__awsctx_text//$__awsctx_mark/${__awsctx_values[__awsctx_i]}}
            else
                __awsctx_text=${__awsctx_text//" $__awsctx_mark"/}
                __awsctx_text=${__awsctx_text//"$__awsctx_mark "/}
                __awsctx_text=${__awsctx_text//$__awsctx_mark/}
            fi
        done
    fi
    __awsctx_prompt_text=$__awsctx_text
    __awsctx_text=${__awsctx_text//\%/%%}
    if [[ -n $__awsctx_sgr ]]; then
        awsctx_prompt=$'%{\e['"$__awsctx_sgr"$'m%}'"$__awsctx_text"$'%{\e[0m%} '
    else
        awsctx_prompt="$__awsctx_text "
    fi
}
typeset -g __awsctx_marks=$'\021\022\023\024\025\026'

# Run the hook before each prompt, once however often this is loaded; last, after whatever sets PS1.
(( ${precmd_functions[(Ie)__awsctx_prompt_hook]} )) || precmd_functions+=(__awsctx_prompt_hook)
# Loaded again with --no-prompt: take the segment out of PS1.
if [[ -z $__awsctx_prompt_place && -n $__awsctx_prompt_placed ]]; then
    PS1=${PS1/"$__awsctx_prompt_placed"/}
    __awsctx_prompt_placed=''
fi
