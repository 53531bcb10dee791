#@# The background refresh of role credentials an MFA session renews, for fish: filled in by
#@# `awsctx init` (awsctx/shellinit.py) where awsctx.fish names @AWSCTX_REFRESH_CODE@. The protocol
#@# (the variable, the file and what it holds) is awsctx/refreshtime.py's; shell/refresh.sh is the
#@# same for bash and zsh.
# ---------------------------------------------------------------------------------------------------
# Role credentials an MFA session renews (README: "MFA sessions"): a switch exports when they are
# due for a refresh, ahead of the 15 minutes before expiry in which the AWS CLI, boto3 and terraform
# would assume the role again themselves and ask for a code. Before each prompt: one comparison
# with the clock. Once due: one quiet `awsctx refresh` in the background, whose outcome (in the file
# @AWSCTX_REFRESH_FILE@ names, written for every shell switched to the profile) later prompts read
# with `read`. No process starts otherwise.
builtin set -q @AWSCTX_REFRESH_FILE@; or builtin set -g @AWSCTX_REFRESH_FILE@ ''
builtin set -q __awsctx_refresh_pending; or builtin set -g __awsctx_refresh_pending ''

# Before every prompt. Keeps $status.
function __awsctx_refresh_hook --on-event fish_prompt
    builtin set -l __awsctx_status $status
    if builtin set -q @AWSCTX_VAR_REFRESH_AT@; and builtin test -n "$@AWSCTX_REFRESH_FILE@"; or builtin test -n "$__awsctx_refresh_pending"
        __awsctx_refresh_check ''
    end
    return $__awsctx_status
end

# Before every command: a refresh that came due while the shell sat idle at its prompt runs now,
# and in the foreground once the credentials are inside the AWS CLI's own 15 minutes (plus one),
# so that the command finds them fresh.
function __awsctx_refresh_preexec --on-event fish_preexec
    builtin set -l __awsctx_status $status
    if builtin set -q @AWSCTX_VAR_REFRESH_AT@; and builtin test -n "$@AWSCTX_REFRESH_FILE@"
        __awsctx_refresh_check preexec
    end
    return $__awsctx_status
end

# $argv[1]: preexec when a command is about to run.
function __awsctx_refresh_check
    # The time now, without `date`: a file's modification time plus its age.
    builtin set -l __awsctx_now (builtin math (builtin path mtime /) + (builtin path mtime --relative /))
    builtin set -l __awsctx_due
    builtin string match -qr '^[0-9]{1,12}$' -- "$@AWSCTX_VAR_REFRESH_AT@"; and builtin set __awsctx_due $@AWSCTX_VAR_REFRESH_AT@
    # What the last refresh found, in this shell or another: "REFRESH_AT EXPIRATION".
    builtin set -l __awsctx_at
    builtin set -l __awsctx_expiry
    # A regular file only: `read` would wait forever on a FIFO left there.
    if builtin test -n "$@AWSCTX_REFRESH_FILE@" -a -f "$@AWSCTX_REFRESH_FILE@" -a -r "$@AWSCTX_REFRESH_FILE@"
        builtin read -l __awsctx_line <"$@AWSCTX_REFRESH_FILE@"
        builtin set -l __awsctx_words (builtin string split -n ' ' -- "$__awsctx_line")
        builtin string match -qr '^[0-9]{1,12}$' -- "$__awsctx_words[1]"; and builtin set __awsctx_at $__awsctx_words[1]
        builtin string match -qr '^[0-9]{1,12}$' -- "$__awsctx_words[2]"; and builtin set __awsctx_expiry $__awsctx_words[2]
    end
    if builtin test "$__awsctx_at" = 0
        # Nothing more can be done without a person: the session ended, or the role takes none.
        builtin set -e @AWSCTX_VAR_REFRESH_AT@
        builtin set -g __awsctx_refresh_pending ''
        return 0
    end
    if builtin test -n "$__awsctx_at"; and builtin test "$__awsctx_at" -gt $__awsctx_now
        # Refreshed, here or in another shell: due again later; the prompt shows the new expiry.
        builtin test "$__awsctx_at" = "$__awsctx_due"; or builtin set -gx @AWSCTX_VAR_REFRESH_AT@ $__awsctx_at
        if builtin test -n "$__awsctx_expiry"; and builtin test "$__awsctx_expiry" != "$@AWSCTX_VAR_EXPIRATION@"
            builtin set -gx @AWSCTX_VAR_EXPIRATION@ $__awsctx_expiry
        end
        builtin set -g __awsctx_refresh_pending ''
        return 0
    end
    # Not due yet (a refresh on its way is given a minute).
    builtin test -n "$__awsctx_due"; and builtin test $__awsctx_due -le $__awsctx_now; or return 0
    # The facts describe another profile once AWS_PROFILE was changed by hand: nothing to refresh.
    if builtin test -z "$@AWSCTX_VAR_FACTS_PROFILE@"; or builtin test "$@AWSCTX_VAR_FACTS_PROFILE@" != "$@AWSCTX_VAR_PROFILE@"
        builtin set -e @AWSCTX_VAR_REFRESH_AT@
        builtin set -g __awsctx_refresh_pending ''
        return 0
    end
    if builtin test "$argv[1]" = preexec; and builtin string match -qr '^[0-9]{1,12}$' -- "$@AWSCTX_VAR_EXPIRATION@"; and builtin test (builtin math $__awsctx_now + 960) -ge $@AWSCTX_VAR_EXPIRATION@
        @AWSCTX_PROGRAM@ refresh -- $@AWSCTX_VAR_FACTS_PROFILE@ </dev/null >/dev/null 2>&1
    else
        # The program itself (fish runs a function put in the background in the foreground), taken
        # out of the job table at once, so that no job message is ever shown.
        @AWSCTX_PROGRAM@ refresh -- $@AWSCTX_VAR_FACTS_PROFILE@ </dev/null >/dev/null 2>&1 &
        builtin disown $last_pid 2>/dev/null
    end
    builtin set -gx @AWSCTX_VAR_REFRESH_AT@ (builtin math $__awsctx_now + 60)
    builtin set -g __awsctx_refresh_pending 1
end
