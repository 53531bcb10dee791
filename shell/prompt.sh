#@# The prompt segment's renderer for bash and zsh: one template, filled in by `awsctx init` (see
#@# awsctx/shellinit.py) where awsctx.bash and awsctx.zsh name @AWSCTX_PROMPT_CODE@. The code is
#@# their common dialect; what only one of them needs sits between `#@bash` or `#@zsh` and `#@end`.
#@# The variables' names and the placeholders come from awsctx/envvars.py and awsctx/promptdef.py.
#@# Lines starting `#@` never reach the output.
# ---------------------------------------------------------------------------------------------------
# The prompt segment: profile, account, region and credential expiry of the active profile.
# Rendered before each prompt from the variables a switch exported, with builtins only: a prompt
#@bash
# starts no process. With promptvars on, PS1 holds the variable's name, never its value; with it
# off, PS1 holds the text in a form that no prompt option makes bash run (see
# __awsctx_prompt_update). Either way nothing in a profile name or alias is ever run or read as a
# prompt escape. Settings and variables: docs/prompt.md.

# Whether this integration places the segment in PS1 (`awsctx init bash --no-prompt`: it does not).
__awsctx_prompt_place=@AWSCTX_PLACE_PROMPT@
# What the segment last put in PS1: the reference below, or with promptvars off the text form.
__awsctx_prompt_placed=${__awsctx_prompt_placed-}
# shellcheck disable=SC2016 # expanded by bash each time it draws the prompt
__awsctx_prompt_ref='${awsctx_prompt-}'
# The text form sits between these, so that a copy of an older one, in a PS1 saved and restored
# since, can be found and replaced: two and three empty \001\002 pairs (readline's marks of text
# that takes no room: nothing shows). The text holds no two pairs in a row, and ends with a space.
__awsctx_prompt_start='\001\002\001\002' __awsctx_prompt_end='\001\002\001\002\001\002'
# What the last update was made from (promptvars, PS1 as it left it, the variables below), and
# until when (epoch seconds) the time left it shows holds: `never` ('') while nothing counts down,
# 0 when there is no clock to compare with.
__awsctx_prompt_never=''
__awsctx_prompt_key='' __awsctx_prompt_seen='' __awsctx_prompt_until=$__awsctx_prompt_never
__awsctx_prompt_status=0 __awsctx_prompt_nounset='' __awsctx_prompt_text='' __awsctx_prompt_sgr=''
awsctx_prompt=${awsctx_prompt-}

# The prompt's hook, last before every prompt (after whatever sets PS1). Keeps $? for the prompt
# commands after it and for PS1. With other prompt commands there when this is loaded, the checks
# at its start also run first, through __awsctx_first_hook (see the end of this file).
#@end
#@zsh
# starts no process. PS1 holds prompt escapes that show elements of `psvar` (which zsh inserts as
# they are), never the text, whatever prompt_subst or prompt_bang say, then or later: nothing in a
# profile name or alias is ever run or read as a prompt escape, and a PS1 saved and restored since
# (a virtualenv's deactivate) shows the segment of the moment. Settings: docs/prompt.md.

# Whether this integration places the segment in PS1 (`awsctx init zsh --no-prompt`: it does not).
typeset -g __awsctx_prompt_place=@AWSCTX_PLACE_PROMPT@
# What it places in PS1: psvar[98] is the text and a space, [97] its colour as %F takes it, [96] 1
# for bold; zsh writes the colours' escape sequences itself.
typeset -g __awsctx_prompt_placed='%96(V.%B.)%97(V.%F{%97v}.)%98v%97(V.%f.)%96(V.%b.)'
# What it is placed in front of, when PS1 shows neither it nor a place of one's own.
typeset -g __awsctx_prompt_ref='${awsctx_prompt-}'
# What the last update was made from (prompt_percent, the variables below; PS1 as it left it and
# psvar[98]), and until when (epoch seconds) the time left it shows holds: `never` while nothing
# counts down (a time no clock reaches before the year 5000: one comparison, no test for ''), 0 when
# there is no clock.
typeset -g __awsctx_prompt_never=99999999999
typeset -g __awsctx_prompt_key='' __awsctx_prompt_seen='' __awsctx_prompt_until=$__awsctx_prompt_never
# When the hook's test must next fail whatever else stays: the sooner of that and the MFA refresh
# time (0: at once).
typeset -g __awsctx_prompt_next=0
typeset -g __awsctx_prompt_ps1='' __awsctx_prompt_shown='' __awsctx_prompt_nounset=''
typeset -g __awsctx_prompt_text='' __awsctx_prompt_sgr='' __awsctx_prompt_fg='' __awsctx_prompt_bold=''
typeset -g awsctx_prompt=${awsctx_prompt-}
# $EPOCHSECONDS, from a module that ships with zsh (loading it starts no process).
\builtin zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null || \builtin true

# The prompt's hook: the integration's one precmd function, the last, after whatever sets PS1. Most
# prompts find nothing changed, which one test tells: everything __awsctx_prompt_check below
# compares, in one `[[ ]]` and one arithmetic test (a function call costs zsh more than all of it,
# and so does reading $? in a condition). Only when that test fails, the full check runs. $? stays:
# zsh keeps it around precmd hooks.
__awsctx_prompt_hook() {
    [[ -o promptpercent && ! -o nounset && $PWD == "$__awsctx_folder_pwd" &&
        $@AWSCTX_VAR_REFRESH_AT@$__awsctx_refresh_pending == "$__awsctx_refresh_due" &&
        @AWSCTX_REF_SEGMENT@$'\037'@AWSCTX_PROMPT_WATCHED@ == "$__awsctx_prompt_key" &&
        $PS1 == "$__awsctx_prompt_ps1" && ${psvar[98]} == "$__awsctx_prompt_shown" ]] &&
        ((${EPOCHSECONDS:-0} < __awsctx_prompt_next)) || __awsctx_prompt_check
}

# The full check, the same comparisons one at a time: do what something changed calls for.
__awsctx_prompt_check() {
#@end
#@bash
__awsctx_prompt_hook() {
    __awsctx_prompt_status=$?
#@end
    # Most prompts find nothing to do but compare: kept lean because in bash this runs before every
    # prompt (in zsh, when the hook's test finds something changed). First, in one test, what may
    # switch the profile or renew its credentials: the folder is the one last looked at
    # (shell/folders.sh; in zsh a `cd` typed at the prompt was, in chpwd), and the MFA refresh
    # (shell/refresh.sh) has nothing on its way, its time is the one last checked (a switch changes
    # it) and has not come. (The due time is the refresh time, digits only, or ''; so the second
    # comparison holds only while nothing is on its way.)
    [[ $PWD == "$__awsctx_folder_pwd" && ${@AWSCTX_VAR_REFRESH_AT@-}$__awsctx_refresh_pending == "$__awsctx_refresh_due" &&
        ( -z $__awsctx_refresh_due || ${EPOCHSECONDS:-$__awsctx_refresh_due} -lt $__awsctx_refresh_due ) ]] ||
        __awsctx_prompt_checks
#@bash
    # __awsctx_first_hook: the checks alone.
    [[ -z ${1-} ]] || return "$__awsctx_prompt_status"
#@end
    # `$X` costs a third of `${X-}`; nounset would stop at the first unset one.
    [[ ! -o nounset ]] || { \builtin set +u && __awsctx_prompt_nounset=1; }
    # Then the segment: bring `awsctx_prompt` (for a PS1 of one's own: colours wrapped in \001 \002
    # in bash, inside %{ %} with `%` doubled in zsh), zsh's psvar and the exported AWSCTX_SEGMENT
    # (its plain text, for prompt programs such as starship) up to date, and make sure PS1 shows the
    # segment (a prompt command or theme may have set PS1 again).
    # All the last update was made from, in one string (the one comparison most prompts make):
#@bash
    # promptvars (as $?: it changes how the segment must sit in PS1), PS1 (a prompt command or theme
    # may have set it again), the exported text (a switch sets it anew), then everything the segment
    # shows but the clock.
    \builtin shopt -q promptvars
    __awsctx_prompt_seen=$?$'\037'$PS1$'\037'@AWSCTX_REF_SEGMENT@$'\037'@AWSCTX_PROMPT_WATCHED@
    if [[ $__awsctx_prompt_seen != "$__awsctx_prompt_key" ||
        ( -n $__awsctx_prompt_until && ${EPOCHSECONDS:-0} -ge $__awsctx_prompt_until ) ]]; then
#@end
#@zsh
    # the exported text (a switch sets it anew), everything the segment shows but the clock, and a
    # mark while prompt_percent is off (PS1 cannot show psvar then: the segment is taken out until
    # it is back); and apart (cheaper than in the one string), PS1 and psvar, which a hook or theme
    # may have set again.
    __awsctx_prompt_seen=@AWSCTX_REF_SEGMENT@$'\037'@AWSCTX_PROMPT_WATCHED@
    [[ -o promptpercent ]] || __awsctx_prompt_seen+=$'\037'off
    if [[ $__awsctx_prompt_seen != "$__awsctx_prompt_key" || $PS1 != "$__awsctx_prompt_ps1" ||
        ${psvar[98]} != "$__awsctx_prompt_shown" ]] || ((${EPOCHSECONDS:-0} >= __awsctx_prompt_until)); then
#@end
        __awsctx_prompt_update
    fi
#@zsh
    __awsctx_prompt_next=$__awsctx_prompt_until
    if [[ -z ${EPOCHSECONDS-} ]]; then
        __awsctx_prompt_next=0
    elif [[ -n $__awsctx_refresh_due ]] && ((__awsctx_refresh_due < __awsctx_prompt_next)); then
        __awsctx_prompt_next=$__awsctx_refresh_due
    fi
#@end
    [[ -z $__awsctx_prompt_nounset ]] || { \builtin set -u && __awsctx_prompt_nounset=''; }
#@bash
    return "$__awsctx_prompt_status"
#@end
}

# Run by the hook when one of its first comparisons fails: the folder has changed, or the MFA
# refresh has something to do (then it looks).
__awsctx_prompt_checks() {
    [[ $PWD == "$__awsctx_folder_pwd" ]] || __awsctx_folder_check
    __awsctx_refresh_prompt
}

# Public: the same, for themes and prompts of one's own (the init runs it before every prompt).
awsctx_prompt() {
#@bash
    __awsctx_prompt_hook
#@end
#@zsh
    # zsh gives each precmd hook the status the prompt shows, and restores it after: the hook
    # itself need not keep it; this, which a theme may run anywhere, does.
    \builtin local __awsctx_status=$?
    __awsctx_prompt_hook
    return $__awsctx_status
#@end
}

# Run by the `awsctx` function after a switch: AWSCTX_SEGMENT is the new one at once, for a prompt
# program (starship) whose own hook runs before awsctx's. The next prompt does the rest.
__awsctx_prompt_now() {
#@bash
    [[ ! -o nounset ]] || { \builtin set +u && __awsctx_prompt_nounset=1; }
    __awsctx_prompt_export
    [[ -z $__awsctx_prompt_nounset ]] || { \builtin set -u && __awsctx_prompt_nounset=''; }
#@end
#@zsh
    \builtin emulate -L zsh
    __awsctx_prompt_export
#@end
}

# Render the segment (nothing while neither a profile nor a region is set), and export its text as
# AWSCTX_SEGMENT, or unset it while there is none.
__awsctx_prompt_export() {
    if [[ -n ${@AWSCTX_VAR_PROFILE@-}${@AWSCTX_VAR_REGION@-}${@AWSCTX_VAR_DEFAULT_REGION@-} ]]; then
        __awsctx_prompt_render
    else
        awsctx_prompt='' __awsctx_prompt_text='' __awsctx_prompt_sgr='' __awsctx_prompt_until=$__awsctx_prompt_never
    fi
    if [[ -z $__awsctx_prompt_text ]]; then
        [[ -z ${@AWSCTX_VAR_SEGMENT@+set} ]] || \builtin unset @AWSCTX_VAR_SEGMENT@
    elif [[ ${@AWSCTX_VAR_SEGMENT@-} != "$__awsctx_prompt_text" ]]; then
        \builtin export @AWSCTX_VAR_SEGMENT@="$__awsctx_prompt_text"
    fi
}

# Something changed: render, and put the segment in PS1 when this integration places it.
__awsctx_prompt_update() {
#@bash
    \builtin local __awsctx_new __awsctx_head='' __awsctx_rest __awsctx_found=''
    __awsctx_prompt_export
    if [[ -n $__awsctx_prompt_place ]]; then
        if \builtin shopt -q promptvars; then
            __awsctx_new=$__awsctx_prompt_ref
        else
            # PS1 cannot name a variable: it holds the text, in a form that shows as it is and that
            # bash never runs, even once promptvars is on again or in posix mode: `\` and `$` are
            # followed by an empty \001\002 (readline's marks of text that takes no room), after
            # which neither escapes nor expands anything; a backquote, which nothing but a
            # backslash keeps from starting a command, shows as \`.
            __awsctx_new=${awsctx_prompt//\\/'\\\001\002'}
            __awsctx_new=${__awsctx_new//\$/'$\001\002'}
            __awsctx_new=$__awsctx_prompt_start${__awsctx_new//\`/'\\`'}$__awsctx_prompt_end
        fi
        # Every copy of the text form comes out (a PS1 saved before a change and restored since
        # holds an old one); the new segment takes the place of the first.
        while [[ $PS1 == *"$__awsctx_prompt_start"* ]]; do
            __awsctx_rest=${PS1#*"$__awsctx_prompt_start"}
            [[ -n $__awsctx_found ]] || __awsctx_head=${PS1%%"$__awsctx_prompt_start"*} __awsctx_found=1
            PS1=${PS1%%"$__awsctx_prompt_start"*}${__awsctx_rest#*"$__awsctx_prompt_end"}
        done
        if [[ -n $__awsctx_found ]]; then
            PS1=$__awsctx_head$__awsctx_new${PS1#"$__awsctx_head"}
        elif [[ $PS1 == *"$__awsctx_prompt_ref"* ]]; then
            [[ $__awsctx_new == "$__awsctx_prompt_ref" ]] || PS1=${PS1/"$__awsctx_prompt_ref"/"$__awsctx_new"}
        elif [[ $__awsctx_new != "$__awsctx_prompt_ref" || $PS1 != *awsctx_prompt* ]]; then
            # In front, unless the user placed `${awsctx_prompt}` in PS1 already.
            PS1=$__awsctx_new$PS1
        fi
        __awsctx_prompt_placed=$__awsctx_new
    fi
    # What the hook compares, as this leaves it.
    \builtin shopt -q promptvars
    __awsctx_prompt_key=$?$'\037'$PS1$'\037'${@AWSCTX_VAR_SEGMENT@-}$'\037'@AWSCTX_PROMPT_WATCHED@
#@end
#@zsh
    # The user's prompt options, read before `emulate` sets options of its own for this function.
    \builtin local __awsctx_bang='' __awsctx_percent=''
    [[ ! -o prompt_bang ]] || __awsctx_bang=1
    [[ ! -o prompt_percent ]] || __awsctx_percent=1
    \builtin emulate -L zsh
    __awsctx_prompt_export
    # For a PS1 of one's own that names awsctx_prompt: with prompt_bang, `!` is an escape too.
    [[ -z $__awsctx_bang ]] || awsctx_prompt=${awsctx_prompt//\!/!!}
    if [[ -n $__awsctx_prompt_place ]]; then
        if [[ -n $__awsctx_prompt_text ]]; then
            psvar[96]=$__awsctx_prompt_bold psvar[97]=$__awsctx_prompt_fg psvar[98]="$__awsctx_prompt_text "
        elif [[ -n ${psvar[96]-}${psvar[97]-}${psvar[98]-} ]]; then
            psvar[96]='' psvar[97]='' psvar[98]=''
        fi
        if [[ -z $__awsctx_percent ]]; then
            # prompt_percent off: PS1 would show the escapes themselves.
            PS1=${PS1//"$__awsctx_prompt_placed"/}
        elif [[ $PS1 != *"$__awsctx_prompt_placed"* && $PS1 != *"$__awsctx_prompt_ref"* ]]; then
            # In front, unless the user placed `${awsctx_prompt}` in PS1 already.
            PS1=$__awsctx_prompt_placed$PS1
        fi
    fi
    # What the hook compares, as this leaves it (prompt_percent as the user has it).
    __awsctx_prompt_key=${@AWSCTX_VAR_SEGMENT@-}$'\037'@AWSCTX_PROMPT_WATCHED@
    [[ -n $__awsctx_percent ]] || __awsctx_prompt_key+=$'\037'off
    __awsctx_prompt_ps1=$PS1 __awsctx_prompt_shown=${psvar[98]-}
#@end
}

# Render the segment from the variables into awsctx_prompt and __awsctx_prompt_text, and work out
# __awsctx_prompt_until.
__awsctx_prompt_render() {
    \builtin local __awsctx_profile="${@AWSCTX_VAR_PROFILE@-}" __awsctx_id='' __awsctx_alias='' __awsctx_expiry='' \
        __awsctx_sgr='' __awsctx_color='' __awsctx_region="${@AWSCTX_VAR_REGION@:-${@AWSCTX_VAR_DEFAULT_REGION@-}}" \
        __awsctx_left __awsctx_minutes __awsctx_now __awsctx_text __awsctx_r __awsctx_g __awsctx_b __awsctx_i __awsctx_mark \
        __awsctx_c
#@zsh
    \builtin local -a __awsctx_values
#@end
    __awsctx_prompt_until=$__awsctx_prompt_never
    # The facts describe AWSCTX_PROFILE: once AWS_PROFILE is changed by hand they no longer apply.
    if [[ ${@AWSCTX_VAR_FACTS_PROFILE@-$__awsctx_profile} == "$__awsctx_profile" ]]; then
        __awsctx_id=${@AWSCTX_VAR_ACCOUNT_ID@-} __awsctx_alias=${@AWSCTX_VAR_ACCOUNT_ALIAS@-} __awsctx_color=${@AWSCTX_VAR_COLOR@-}
#@bash
        # Digits only before arithmetic: bash evaluates what an arithmetic expression holds.
        __awsctx_left=${@AWSCTX_VAR_EXPIRATION@-}
        if [[ -n $__awsctx_left && $__awsctx_left != *[!0-9]* && ${#__awsctx_left} -le 12 ]]; then
            __awsctx_now=${EPOCHSECONDS-}
            [[ -n $__awsctx_now ]] || \builtin printf -v __awsctx_now '%(%s)T' -1
#@end
#@zsh
        # Digits only before arithmetic, which would evaluate whatever the variable holds.
        __awsctx_left=${@AWSCTX_VAR_EXPIRATION@-}
        if [[ -n $__awsctx_left && $__awsctx_left != *[^0-9]* && ${#__awsctx_left} -le 12 ]]; then
            __awsctx_now=${EPOCHSECONDS-}
            if [[ -z $__awsctx_now ]]; then
                __awsctx_now='%D{%s}'
                __awsctx_now=${(%)__awsctx_now}
            fi
#@end
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
            elif [[ ${@AWSCTX_VAR_SSO_REFRESHABLE@-} == 1 ]]; then
                __awsctx_expiry=refreshable
            else
                __awsctx_expiry=expired
            fi
        fi
        if [[ -z ${@AWSCTX_VAR_NO_COLOR@-} ]]; then
#@bash
            if [[ ${#__awsctx_color} -eq 6 && $__awsctx_color != *[!0-9a-fA-F]* ]]; then
                __awsctx_r=$((16#${__awsctx_color:0:2})) __awsctx_g=$((16#${__awsctx_color:2:2}))
                __awsctx_b=$((16#${__awsctx_color:4:2}))
                if [[ ${@AWSCTX_VAR_COLORTERM@-} == truecolor || ${@AWSCTX_VAR_COLORTERM@-} == 24bit ]]; then
#@end
#@zsh
            if [[ ${#__awsctx_color} -eq 6 && $__awsctx_color != *[^0-9a-fA-F]* ]]; then
                __awsctx_r=$((16#${__awsctx_color[1,2]})) __awsctx_g=$((16#${__awsctx_color[3,4]}))
                __awsctx_b=$((16#${__awsctx_color[5,6]}))
                if [[ ${@AWSCTX_VAR_COLORTERM@-} == (truecolor|24bit) ]]; then
#@end
                    __awsctx_sgr="38;2;$__awsctx_r;$__awsctx_g;$__awsctx_b"
                else
                    # The nearest colour of the 256-colour cube, whose levels are 0, 95, 135, ... 255.
                    __awsctx_r=$((__awsctx_r < 48 ? 0 : __awsctx_r < 115 ? 1 : (__awsctx_r - 35) / 40))
                    __awsctx_g=$((__awsctx_g < 48 ? 0 : __awsctx_g < 115 ? 1 : (__awsctx_g - 35) / 40))
                    __awsctx_b=$((__awsctx_b < 48 ? 0 : __awsctx_b < 115 ? 1 : (__awsctx_b - 35) / 40))
                    __awsctx_sgr="38;5;$((16 + 36 * __awsctx_r + 6 * __awsctx_g + __awsctx_b))"
                fi
                [[ ${@AWSCTX_VAR_PROD@-} != 1 ]] || __awsctx_sgr="1;$__awsctx_sgr"
            elif [[ ${@AWSCTX_VAR_PROD@-} == 1 ]]; then
                __awsctx_sgr='1;31'
            fi
        fi
    fi
    [[ -n $__awsctx_sgr || -n ${@AWSCTX_VAR_NO_COLOR@-} ]] || __awsctx_sgr=33
    # Control characters (escape sequences, newlines) are shown as `?`, never sent to the terminal;
    # so are the controls of bidirectional text, which would show what follows them reordered.
    if [[ $__awsctx_profile$__awsctx_id$__awsctx_alias$__awsctx_region == *[[:cntrl:]]* ]]; then
        __awsctx_profile=${__awsctx_profile//[[:cntrl:]]/?} __awsctx_id=${__awsctx_id//[[:cntrl:]]/?}
        __awsctx_alias=${__awsctx_alias//[[:cntrl:]]/?} __awsctx_region=${__awsctx_region//[[:cntrl:]]/?}
    fi
    if [[ $__awsctx_profile$__awsctx_id$__awsctx_alias$__awsctx_region == *[![:ascii:]]* ]]; then
        # Each one as its bytes in UTF-8: matched as a character in a UTF-8 locale, as bytes in others.
        for __awsctx_c in @AWSCTX_BIDI_CONTROLS@; do
            __awsctx_profile=${__awsctx_profile//"$__awsctx_c"/?} __awsctx_id=${__awsctx_id//"$__awsctx_c"/?}
            __awsctx_alias=${__awsctx_alias//"$__awsctx_c"/?} __awsctx_region=${__awsctx_region//"$__awsctx_c"/?}
        done
    fi
    if [[ -z ${@AWSCTX_VAR_PROMPT_FORMAT@-} ]]; then
        __awsctx_text="aws:$__awsctx_profile${__awsctx_alias:+ $__awsctx_alias}"
        [[ -n $__awsctx_alias ]] || __awsctx_text+="${__awsctx_id:+ $__awsctx_id}"
        __awsctx_text+="${__awsctx_region:+ $__awsctx_region}${__awsctx_expiry:+ $__awsctx_expiry}"
    else
        # Placeholders become control characters first (none is left in a value), so that a value
        # holding `{region}` stays itself. An empty one takes a space next to it along.
        __awsctx_text=${@AWSCTX_VAR_PROMPT_FORMAT@//[[:cntrl:]]/?}
        @AWSCTX_MARK_PLACEHOLDERS@
#@bash
        \builtin local -a __awsctx_values
#@end
        # Each placeholder shows the variable named after it.
        \builtin local __awsctx_account="${__awsctx_alias:-$__awsctx_id}"
        __awsctx_values=(@AWSCTX_PLACEHOLDER_VALUES@)
        for __awsctx_i in @AWSCTX_PLACEHOLDER_INDEXES@; do
#@bash
            __awsctx_mark=${__awsctx_marks:__awsctx_i:1}
            if [[ -n ${__awsctx_values[__awsctx_i]} ]]; then
                __awsctx_text=${__awsctx_text//"$__awsctx_mark"/"${__awsctx_values[__awsctx_i]}"}
            else
                __awsctx_text=${__awsctx_text//" $__awsctx_mark"/}
                __awsctx_text=${__awsctx_text//"$__awsctx_mark "/}
                __awsctx_text=${__awsctx_text//"$__awsctx_mark"/}
            fi
#@end
#@zsh
            __awsctx_mark=${__awsctx_marks[__awsctx_i]}
            if [[ -n ${__awsctx_values[__awsctx_i]} ]]; then
                __awsctx_text=${__awsctx_text//$__awsctx_mark/${__awsctx_values[__awsctx_i]}}
            else
                __awsctx_text=${__awsctx_text//" $__awsctx_mark"/}
                __awsctx_text=${__awsctx_text//"$__awsctx_mark "/}
                __awsctx_text=${__awsctx_text//$__awsctx_mark/}
            fi
#@end
        done
    fi
    __awsctx_prompt_text=$__awsctx_text __awsctx_prompt_sgr=$__awsctx_sgr
#@bash
    if [[ -z $__awsctx_text ]]; then
        awsctx_prompt=''
    elif [[ -n $__awsctx_sgr ]]; then
        awsctx_prompt=$'\001\e['"$__awsctx_sgr"$'m\002'"$__awsctx_text"$'\001\e[0m\002 '
    else
        awsctx_prompt="$__awsctx_text "
    fi
}
__awsctx_marks=@AWSCTX_PLACEHOLDER_MARKS@

# With other prompt commands before it: the hook's checks, first, so that a switch they make is in
# place for those commands (a theme's that shows the profile, say). The hook does the rest, last.
__awsctx_first_hook() {
    __awsctx_prompt_hook first
}

# The hooks, once however often this is loaded: __awsctx_prompt_hook last (after whatever sets PS1),
# and first __awsctx_first_hook when there is anything else, which keeps its order; through
# bash-preexec's precmd_functions when it is there, else in PROMPT_COMMAND, array or string. The
# hooks of earlier versions of this integration are taken out.
__awsctx_hooks_ours=(__awsctx_first_hook __awsctx_prompt_hook __awsctx_folder_hook __awsctx_refresh_hook)
__awsctx_hooks_place() {
    __awsctx_hooks_list=()
    \builtin local __awsctx_item
    for __awsctx_item in "$@"; do
        [[ " ${__awsctx_hooks_ours[*]} " == *" $__awsctx_item "* ]] || __awsctx_hooks_list+=("$__awsctx_item")
    done
    [[ ${#__awsctx_hooks_list[@]} -eq 0 ]] || __awsctx_hooks_list=(__awsctx_first_hook "${__awsctx_hooks_list[@]}")
    __awsctx_hooks_list+=(__awsctx_prompt_hook)
}
if [[ ${__bp_imported-} == defined ]]; then
    __awsctx_hooks_place ${precmd_functions[@]+"${precmd_functions[@]}"}
    precmd_functions=("${__awsctx_hooks_list[@]}")
elif [[ -n ${PROMPT_COMMAND+set} && ${BASH_VERSINFO[0]}${BASH_VERSINFO[1]} -ge 51 && ${PROMPT_COMMAND@a} == *a* ]]; then
    __awsctx_hooks_place "${PROMPT_COMMAND[@]}"
    PROMPT_COMMAND=("${__awsctx_hooks_list[@]}")
else
    # A string: each hook is a line of its own.
    # shellcheck disable=SC2128 # a string here, not an array
    __awsctx_hooks_rest=${PROMPT_COMMAND-}
    for __awsctx_hooks_item in "${__awsctx_hooks_ours[@]}"; do
        __awsctx_hooks_rest=${__awsctx_hooks_rest//"$__awsctx_hooks_item"$'\n'/}
        __awsctx_hooks_rest=${__awsctx_hooks_rest//$'\n'"$__awsctx_hooks_item"/}
        [[ $__awsctx_hooks_rest != "$__awsctx_hooks_item" ]] || __awsctx_hooks_rest=''
    done
    # shellcheck disable=SC2178 # a string here, not an array
    PROMPT_COMMAND=${__awsctx_hooks_rest:+__awsctx_first_hook$'\n'$__awsctx_hooks_rest$'\n'}__awsctx_prompt_hook
fi
\builtin unset -v __awsctx_hooks_ours __awsctx_hooks_list __awsctx_hooks_rest __awsctx_hooks_item
\builtin unset -f __awsctx_hooks_place
#@end
#@zsh
    # For psvar: the colour as %F takes it (a number, or #rrggbb), and whether bold.
    __awsctx_prompt_fg=${__awsctx_sgr#1;} __awsctx_prompt_bold=''
    [[ $__awsctx_prompt_fg == "$__awsctx_sgr" ]] || __awsctx_prompt_bold=1
    case $__awsctx_prompt_fg in
        (3[0-7]) __awsctx_prompt_fg=${__awsctx_prompt_fg#3} ;;
        ('38;5;'*) __awsctx_prompt_fg=${__awsctx_prompt_fg#38;5;} ;;
        ('38;2;'*) __awsctx_prompt_fg="#$__awsctx_color" ;;
    esac
    __awsctx_text=${__awsctx_text//\%/%%}
    if [[ -z $__awsctx_text ]]; then
        awsctx_prompt=''
    elif [[ -n $__awsctx_sgr ]]; then
        awsctx_prompt=$'%{\e['"$__awsctx_sgr"$'m%}'"$__awsctx_text"$'%{\e[0m%} '
    else
        awsctx_prompt="$__awsctx_text "
    fi
}
typeset -g __awsctx_marks=@AWSCTX_PLACEHOLDER_MARKS@

# Run the hook before each prompt, once however often this is loaded; last, after whatever sets PS1.
# The hooks of earlier versions of this integration are taken out.
(( ${+precmd_functions} )) || typeset -ga precmd_functions
precmd_functions=(${precmd_functions:#(__awsctx_folder_hook|__awsctx_refresh_hook)})
(( ${precmd_functions[(Ie)__awsctx_prompt_hook]} )) || precmd_functions+=(__awsctx_prompt_hook)
#@end
# Loaded again with --no-prompt: take the segment out of PS1.
#@bash
if [[ -z $__awsctx_prompt_place && -n $__awsctx_prompt_placed ]]; then
    PS1=${PS1/"$__awsctx_prompt_placed"/}
    __awsctx_prompt_placed=''
fi
#@end
#@zsh
if [[ -z $__awsctx_prompt_place && $PS1 == *"$__awsctx_prompt_placed"* ]]; then
    PS1=${PS1//"$__awsctx_prompt_placed"/}
    psvar[96]='' psvar[97]='' psvar[98]=''
fi
#@end
