#@# The background refresh of role credentials an MFA session renews, for bash and zsh: one template,
#@# filled in by `awsctx init` (awsctx/shellinit.py) where awsctx.bash and awsctx.zsh name
#@# @AWSCTX_REFRESH_CODE@. What is only one shell's sits between `#@bash` or `#@zsh` and `#@end`.
#@# The protocol (the variable, the file and what it holds) is awsctx/refreshtime.py's.
# ---------------------------------------------------------------------------------------------------
# Role credentials an MFA session renews (README: "MFA sessions"): a switch exports when they are
# due for a refresh, ahead of the 15 minutes before expiry in which the AWS CLI, boto3 and terraform
# would assume the role again themselves and ask for a code. Before each prompt: one comparison
# with the clock (the prompt hook's, in shell/prompt.sh). Once due: one quiet `awsctx refresh` in
# the background, whose outcome (in the file @AWSCTX_REFRESH_FILE@ names, written for every shell
# switched to the profile) the prompts after it read with `read`, as does any shell once its own
# time comes (another shell's refresh may have been first). No process starts otherwise.
#@bash
@AWSCTX_REFRESH_FILE@=${@AWSCTX_REFRESH_FILE@-}
__awsctx_refresh_pending=${__awsctx_refresh_pending-}
# @AWSCTX_VAR_REFRESH_AT@ as last checked: digits only, since the hook and PS0 evaluate it as
# arithmetic; '' for none.
__awsctx_refresh_due=${__awsctx_refresh_due-}
#@end
#@zsh
typeset -g @AWSCTX_REFRESH_FILE@=${@AWSCTX_REFRESH_FILE@-} __awsctx_refresh_pending=${__awsctx_refresh_pending-}
# @AWSCTX_VAR_REFRESH_AT@ as last checked: digits only, since the hook evaluates it as arithmetic;
# '' for none.
typeset -g __awsctx_refresh_due=${__awsctx_refresh_due-}
\builtin zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null || \builtin true
#@end

# Before a prompt, when the prompt hook finds a refresh on its way, @AWSCTX_VAR_REFRESH_AT@ changed
# since it was last checked (a switch), its time come, or the folder changed.
__awsctx_refresh_prompt() {
    if [[ -n ${@AWSCTX_VAR_REFRESH_AT@-} && -n ${@AWSCTX_REFRESH_FILE@-} ]] || [[ -n $__awsctx_refresh_pending ]]; then
        __awsctx_refresh_check ''
    fi
    __awsctx_refresh_due=${@AWSCTX_VAR_REFRESH_AT@-}
    if [[ $__awsctx_refresh_due == *[!0-9]* || ${#__awsctx_refresh_due} -gt 12 ]]; then
        __awsctx_refresh_due=''
    elif [[ $__awsctx_refresh_due == 0?* ]]; then
        # Without its leading zeros, which bash's arithmetic would read as octal.
        __awsctx_refresh_due=$((10#$__awsctx_refresh_due))
    fi
}

# Before every command: a refresh that came due while the shell sat idle at its prompt runs now,
# and in the foreground once the credentials are inside the AWS CLI's own 15 minutes (plus one),
# so that the command finds them fresh. Nothing but a comparison with the clock before then (or
# until the refresh time changes from what the last prompt checked). Keeps $?.
__awsctx_refresh_preexec() {
    \builtin local __awsctx_status=$?
    if [[ -n ${@AWSCTX_VAR_REFRESH_AT@-} && -n ${@AWSCTX_REFRESH_FILE@-} ]] &&
        ! { [[ ${@AWSCTX_VAR_REFRESH_AT@} == "$__awsctx_refresh_due" ]] &&
            ((${EPOCHSECONDS:-$__awsctx_refresh_due} < __awsctx_refresh_due)); }; then
        __awsctx_refresh_check preexec
    fi
    return "$__awsctx_status"
}

# $1: preexec when a command is about to run.
__awsctx_refresh_check() {
#@zsh
    \builtin emulate -L zsh
#@end
    \builtin local __awsctx_now="${EPOCHSECONDS-}" __awsctx_due="${@AWSCTX_VAR_REFRESH_AT@-}" __awsctx_at='' __awsctx_expiry=''
    if [[ -z $__awsctx_now ]]; then
#@bash
        \builtin printf -v __awsctx_now '%(%s)T' -1
#@end
#@zsh
        __awsctx_now='%D{%s}'
        __awsctx_now=${(%)__awsctx_now}
#@end
    fi
    # Digits only before arithmetic, which would evaluate whatever a variable holds.
    [[ $__awsctx_due != *[!0-9]* && ${#__awsctx_due} -le 12 ]] || __awsctx_due=''
    # What the last refresh found, in this shell or another: "REFRESH_AT EXPIRATION".
    # A regular file only: `read` would wait forever on a FIFO left there.
    if [[ -n ${@AWSCTX_REFRESH_FILE@-} && -f ${@AWSCTX_REFRESH_FILE@} && -r ${@AWSCTX_REFRESH_FILE@} ]]; then
        \builtin read -r __awsctx_at __awsctx_expiry <"${@AWSCTX_REFRESH_FILE@}" 2>/dev/null
    fi
    [[ $__awsctx_at != *[!0-9]* && ${#__awsctx_at} -le 12 ]] || __awsctx_at=''
    [[ $__awsctx_expiry != *[!0-9]* && ${#__awsctx_expiry} -le 12 ]] || __awsctx_expiry=''
    if [[ $__awsctx_at == 0 ]]; then
        # Nothing more can be done without a person: the session ended, or the role takes none.
        \builtin unset @AWSCTX_VAR_REFRESH_AT@
        __awsctx_refresh_pending=''
        return 0
    fi
    if [[ -n $__awsctx_at ]] && ((10#$__awsctx_at > __awsctx_now)); then
        # Refreshed, here or in another shell: due again later; the prompt shows the new expiry.
        [[ $__awsctx_at == "$__awsctx_due" ]] || \builtin export @AWSCTX_VAR_REFRESH_AT@="$__awsctx_at"
        if [[ -n $__awsctx_expiry && $__awsctx_expiry != "${@AWSCTX_VAR_EXPIRATION@-}" ]]; then
            \builtin export @AWSCTX_VAR_EXPIRATION@="$__awsctx_expiry"
        fi
        __awsctx_refresh_pending=''
        return 0
    fi
    # Not due yet (a refresh on its way is given a minute).
    [[ -n $__awsctx_due ]] && ((10#$__awsctx_due <= __awsctx_now)) || return 0
    # The facts describe another profile once AWS_PROFILE was changed by hand: nothing to refresh.
    if [[ -z ${@AWSCTX_VAR_FACTS_PROFILE@-} || ${@AWSCTX_VAR_FACTS_PROFILE@} != "${@AWSCTX_VAR_PROFILE@-}" ]]; then
        \builtin unset @AWSCTX_VAR_REFRESH_AT@
        __awsctx_refresh_pending=''
        return 0
    fi
    __awsctx_expiry=${@AWSCTX_VAR_EXPIRATION@-}
    if [[ $1 == preexec && -n $__awsctx_expiry && $__awsctx_expiry != *[!0-9]* && ${#__awsctx_expiry} -le 12 ]] &&
        ((__awsctx_now + 960 >= 10#$__awsctx_expiry)); then
        __awsctx_run refresh -- "${@AWSCTX_VAR_FACTS_PROFILE@}" </dev/null >/dev/null 2>&1
    else
        # In a subshell: no job is added to this shell's table, so no job message is ever shown.
        (__awsctx_run refresh -- "${@AWSCTX_VAR_FACTS_PROFILE@}" </dev/null >/dev/null 2>&1 &)
    fi
    \builtin export @AWSCTX_VAR_REFRESH_AT@=$((__awsctx_now + 60))
    __awsctx_refresh_pending=1
}

#@bash
# bash has no hook before a command of its own (bash-preexec adds one, used below when it is
# there). PS0, which bash expands after reading a command line and before running it, serves
# instead, at the cost of arithmetic only: the subscript compares the clock with the due time, and
# only once it has come does `:+` expand the command substitution that runs the check (in a
# subshell, printing nothing; the refresh it starts writes what it found for the next prompt). So a
# shell left idle at its prompt past the refresh time refreshes before the next command runs. A
# PS0 of the user's own follows it.
__awsctx_refresh_yes=([1]=1)
if [[ ${__bp_imported-} != defined && ${PS0-} != *__awsctx_refresh_yes* ]]; then
    # shellcheck disable=SC2016 # expanded by bash before each command
    PS0='${__awsctx_refresh_yes[${__awsctx_refresh_due:-0} > 0 && ${EPOCHSECONDS:-0} >= ${__awsctx_refresh_due:-0}]:+$(__awsctx_refresh_preexec)}'${PS0-}
fi
# With bash-preexec (and no PS0 then): its hook before each command.
if [[ ${__bp_imported-} == defined ]]; then
    [[ " ${preexec_functions[*]-} " == *' __awsctx_refresh_preexec '* ]] || preexec_functions+=(__awsctx_refresh_preexec)
fi
#@end
#@zsh
# Before each command, once however often this is loaded (before each prompt: the prompt hook).
(( ${+preexec_functions} )) || typeset -ga preexec_functions
(( ${preexec_functions[(Ie)__awsctx_refresh_preexec]} )) || preexec_functions+=(__awsctx_refresh_preexec)
#@end
