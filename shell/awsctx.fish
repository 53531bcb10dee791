# awsctx shell integration for fish, printed by `awsctx init fish`.
# Load it from ~/.config/fish/config.fish with:  awsctx init fish | source
# Loading it twice changes nothing. Every name but `awsctx` is namespaced __awsctx_*; builtins are
# called as `builtin NAME` so that a user's function of the same name cannot intercept them.

# The program, by absolute path: the function shadows the `awsctx` on PATH.
function __awsctx_run
    @AWSCTX_PROGRAM@ $argv
end

# Commands that change this shell run the program in shell mode and apply what it prints, all or
# nothing; every other command runs the program directly, so that its output pipes.
function awsctx --description 'Switch AWS profiles and regions in this shell'
    switch "$argv[1]"
        case @AWSCTX_DIRECT@
            # Tells `awsctx doctor` the integration is loaded.
            @AWSCTX_VAR_INTEGRATION@=fish __awsctx_run $argv
            return
    end
    if builtin test (builtin count $argv) -eq 0; and not builtin test -t 1
        __awsctx_run
        return
    end
    builtin set -l __awsctx_interactive ''
    if builtin test -t 0; and builtin test -t 1
        builtin set __awsctx_interactive 1
    end
    builtin set -l __awsctx_code (@AWSCTX_VAR_SHELL_MODE@=fish @AWSCTX_VAR_INTERACTIVE@=$__awsctx_interactive \
        @AWSCTX_VAR_PREVIOUS@="$__awsctx_previous" __awsctx_run $argv | builtin string collect)
    builtin set -l __awsctx_status $pipestatus[1]
    if builtin test $__awsctx_status -ne 0
        return $__awsctx_status
    end
    builtin eval $__awsctx_code
    # AWSCTX_SEGMENT is the new one at once, for a prompt program that reads it before the
    # fish_prompt event reaches awsctx.
    __awsctx_prompt_hook
    # The program succeeded: so does the switch (`set -e` of a variable that was not set returns 4).
    return 0
end

# Tab. A profile name being typed (`awsctx NAME`, `awsctx use NAME`) is completed from a file of
# names awsctx keeps (awsctx/tabnames.py) without starting the program; anything else, and any
# doubt about the file, goes to the program: argcomplete's protocol, by which it writes one
# `candidate<TAB>description` a line on file descriptor 8. fish escapes what it inserts.
function __awsctx_complete
    __awsctx_complete_names; and return
    builtin set -lx COMP_LINE (builtin commandline -p | builtin string collect)
    builtin set -lx COMP_POINT (builtin commandline -cp | builtin string collect | builtin string length)
    _ARGCOMPLETE=1 _ARGCOMPLETE_SHELL=fish _ARGCOMPLETE_IFS=\n _ARGCOMPLETE_DFS=\t _ARGCOMPLETE_SUPPRESS_SPACE=1 \
        __awsctx_run 8>&1 9>/dev/null 1>/dev/null 2>/dev/null </dev/null
end

# Print the profile names from the file `names`; status 1 (nothing printed) unless the line up to
# the cursor is plain words (printable ASCII, nothing that quotes, escapes or expands) ending in a
# profile name being typed, and the file is awsctx's, the user's own, and made from the config
# files as they are now (their modification times, to the nanosecond, those of the stamps it names).
function __awsctx_complete_names
    builtin set -l __awsctx_line (builtin commandline -cp | builtin string collect)
    builtin string match -qr '[^\x20-\x7e\t]|[\'"\\\\#$`]' -- "$__awsctx_line"; and return 1
    builtin set -l __awsctx_words (builtin string replace -a \t ' ' -- "$__awsctx_line" | builtin string split -n ' ')
    builtin set -l __awsctx_prefix ''
    if not builtin string match -qr '[ \t]$' -- "$__awsctx_line"; and builtin set -q __awsctx_words[1]
        builtin set __awsctx_prefix $__awsctx_words[-1]
        builtin set -e __awsctx_words[-1]
    end
    builtin string match -q -- '-*' "$__awsctx_prefix"; and return 1
    builtin set -l __awsctx_tags
    if builtin test (builtin count $__awsctx_words) -eq 1
        builtin set __awsctx_tags @AWSCTX_NAMES_TAG_CLASS_FIRST@
    else if builtin test (builtin count $__awsctx_words) -eq 2; and builtin test "$__awsctx_words[2]" = use
        builtin set __awsctx_tags @AWSCTX_NAMES_TAG_CLASS_USE@
    else
        return 1
    end
    builtin set -l __awsctx_dir
    if builtin string match -q -- '/*' "$XDG_CACHE_HOME"
        builtin set __awsctx_dir $XDG_CACHE_HOME/awsctx
    else if builtin string match -q -- '/*' "$HOME"
        builtin set __awsctx_dir $HOME/.cache/awsctx
    else
        return 1
    end
    builtin set -l __awsctx_file $__awsctx_dir/@AWSCTX_NAMES_FILE@
    builtin test -d $__awsctx_dir -a -O $__awsctx_dir -a -f $__awsctx_file -a -O $__awsctx_file; or return 1
    builtin test -L $__awsctx_file; and return 1
    builtin set -l __awsctx_config $HOME/.aws/config
    builtin set -q AWS_CONFIG_FILE; and builtin set __awsctx_config $AWS_CONFIG_FILE
    builtin set -l __awsctx_credentials $HOME/.aws/credentials
    builtin set -q AWS_SHARED_CREDENTIALS_FILE; and builtin set __awsctx_credentials $AWS_SHARED_CREDENTIALS_FILE
    # One reading: the first line, and the lines of the tags offered here that start with the prefix
    # (each line is a tag and a name; \Q...\E: the prefix holds no backslash).
    builtin set -l __awsctx_found (builtin string match -r -- '^(?:'@AWSCTX_NAMES_MAGIC_REGEX@'\x1f.*|['$__awsctx_tags']\Q'$__awsctx_prefix'\E.*)$' <$__awsctx_file)
    builtin set -l __awsctx_expected @AWSCTX_NAMES_MAGIC@\x1f"$__awsctx_config"\x1f"$__awsctx_credentials"\x1f
    builtin test (builtin string sub -l (builtin string length -- "$__awsctx_expected") -- "$__awsctx_found[1]") = "$__awsctx_expected"
    or return 1
    builtin set -l __awsctx_stamps (builtin string sub -s (builtin math (builtin string length -- "$__awsctx_expected") + 1) -- "$__awsctx_found[1]" | builtin string split \x1f)
    builtin test (builtin count $__awsctx_stamps) -eq 2; or return 1
    __awsctx_fresh "$__awsctx_config" $__awsctx_dir $__awsctx_stamps[1]; and __awsctx_fresh "$__awsctx_credentials" $__awsctx_dir $__awsctx_stamps[2]
    or return 1
    builtin set -q __awsctx_found[2]; and builtin string sub -s 2 -- $__awsctx_found[2..-1]
    return 0
end

# Whether file $argv[1] is as stamp $argv[3] (in folder $argv[2]) says: its modification time, or
# `-` for no file.
function __awsctx_fresh
    if builtin test "$argv[3]" = @AWSCTX_NAMES_NO_FILE@
        not builtin test -e "$argv[1]"
    else
        builtin string match -qr -- '^'@AWSCTX_NAMES_STAMP_REGEX@'[0-9]+$' "$argv[3]"
        and builtin test -e "$argv[1]"
        and not builtin test "$argv[1]" -nt "$argv[2]/$argv[3]"
        and not builtin test "$argv[1]" -ot "$argv[2]/$argv[3]"
    end
end
builtin complete --command awsctx --erase
builtin complete --command awsctx --no-files --arguments '(__awsctx_complete)'

#@# The background refresh of MFA-session credentials: shell/refresh.fish.
@AWSCTX_REFRESH_CODE@

# ---------------------------------------------------------------------------------------------------
# The prompt segment: profile, account, region and credential expiry of the active profile.
# Rendered before each prompt from the variables a switch exported, with builtins only: a prompt
# starts no process. The prompt prints the values as text: nothing in a profile name or alias is
# ever run, and control characters are shown as `?`. Settings and variables: docs/prompt.md.

# Whether this integration wraps fish_prompt (`awsctx init fish --no-prompt`: it does not).
builtin set -g __awsctx_prompt_place @AWSCTX_PLACE_PROMPT@
# What the last render was made from, and until when (epoch seconds) the time left it shows holds
# (empty: nothing counts down).
builtin set -g __awsctx_prompt_key ''
builtin set -g __awsctx_prompt_until

# Before every prompt: bring the segment (its text in __awsctx_prompt_text, also exported as
# AWSCTX_SEGMENT for prompt programs such as starship, and its colour's escape sequences) up to
# date. Most prompts find nothing changed: one comparison. Keeps $status.
function __awsctx_prompt_hook --on-event fish_prompt
    builtin set -l __awsctx_status $status
    # Everything the segment shows but the clock; with the exported text first (a switch unsets it).
    builtin set -l __awsctx_seen "@AWSCTX_PROMPT_WATCHED@$fish_term24bit"
    if builtin test "@AWSCTX_REF_SEGMENT@"\x1f"$__awsctx_seen" = "$__awsctx_prompt_key"
        if not builtin set -q __awsctx_prompt_until[1]
            return $__awsctx_status
        end
        # The time now, without `date`: a file's modification time plus its age.
        if builtin test (builtin math (builtin path mtime /) + (builtin path mtime --relative /)) -lt $__awsctx_prompt_until
            return $__awsctx_status
        end
    end
    __awsctx_prompt_render
    builtin set -g __awsctx_prompt_key "@AWSCTX_REF_SEGMENT@"\x1f"$__awsctx_seen"
    return $__awsctx_status
end

# Render the segment from the variables: __awsctx_prompt_text, __awsctx_prompt_on and _off (the
# colour's escape sequences), __awsctx_prompt_until, and the exported AWSCTX_SEGMENT. Nothing while
# neither a profile nor a region is set.
function __awsctx_prompt_render
    builtin set -g __awsctx_prompt_text ''
    builtin set -g __awsctx_prompt_on ''
    builtin set -g __awsctx_prompt_off ''
    builtin set -g __awsctx_prompt_until
    builtin set -l __awsctx_profile "$@AWSCTX_VAR_PROFILE@"
    if builtin test -z "$__awsctx_profile$@AWSCTX_VAR_REGION@$@AWSCTX_VAR_DEFAULT_REGION@"
        builtin set -e @AWSCTX_VAR_SEGMENT@
        return 0
    end
    builtin set -l __awsctx_id ''
    builtin set -l __awsctx_alias ''
    builtin set -l __awsctx_expiry ''
    builtin set -l __awsctx_color
    builtin set -l __awsctx_region "$@AWSCTX_VAR_REGION@"
    builtin test -n "$__awsctx_region"; or builtin set __awsctx_region "$@AWSCTX_VAR_DEFAULT_REGION@"
    # The facts describe AWSCTX_PROFILE: once AWS_PROFILE is changed by hand they no longer apply.
    if not builtin set -q @AWSCTX_VAR_FACTS_PROFILE@; or builtin test "$@AWSCTX_VAR_FACTS_PROFILE@" = "$__awsctx_profile"
        builtin set __awsctx_id "$@AWSCTX_VAR_ACCOUNT_ID@"
        builtin set __awsctx_alias "$@AWSCTX_VAR_ACCOUNT_ALIAS@"
        if builtin string match -qr '^[0-9]{1,12}$' -- "$@AWSCTX_VAR_EXPIRATION@"
            builtin set -l __awsctx_now (builtin math (builtin path mtime /) + (builtin path mtime --relative /))
            builtin set -l __awsctx_left (builtin math $@AWSCTX_VAR_EXPIRATION@ - $__awsctx_now)
            if builtin test $__awsctx_left -gt 0
                # Whole minutes rounded up ("0m left" would read as expired), the same on both
                # sides of an hour; shown anew when they change.
                builtin set -l __awsctx_minutes (builtin math -s0 "($__awsctx_left + 59) / 60")
                if builtin test $__awsctx_minutes -ge 60
                    builtin set __awsctx_expiry (builtin printf '%dh%02dm left' (builtin math -s0 "$__awsctx_minutes / 60") (builtin math -s0 "$__awsctx_minutes % 60"))
                else
                    builtin set __awsctx_expiry $__awsctx_minutes"m left"
                end
                builtin set -g __awsctx_prompt_until (builtin math "$__awsctx_now + 1 + ($__awsctx_left - 1) % 60")
            else if builtin test "$@AWSCTX_VAR_SSO_REFRESHABLE@" = 1
                builtin set __awsctx_expiry refreshable
            else
                builtin set __awsctx_expiry expired
            end
        end
        if builtin string match -qr '^[0-9a-fA-F]{6}$' -- "$@AWSCTX_VAR_COLOR@"
            builtin set __awsctx_color $@AWSCTX_VAR_COLOR@
        else if builtin test "$@AWSCTX_VAR_PROD@" = 1
            builtin set __awsctx_color red
        end
        if builtin test "$@AWSCTX_VAR_PROD@" = 1
            builtin set -a __awsctx_color --bold
        end
    end
    if builtin test -z "$@AWSCTX_VAR_NO_COLOR@"
        builtin set -q __awsctx_color[1]; or builtin set __awsctx_color yellow
        builtin set -g __awsctx_prompt_on (builtin set_color $__awsctx_color)
        builtin set -g __awsctx_prompt_off (builtin set_color normal)
    end
    # Control characters (escape sequences, newlines) are shown as `?`, never sent to the terminal;
    # so are the controls of bidirectional text, which would show what follows them reordered.
    builtin set -l __awsctx_values (builtin string replace -ra '[\x00-\x1f\x7f-\x9f@AWSCTX_BIDI_CONTROLS@]' '?' -- $__awsctx_profile $__awsctx_id $__awsctx_alias $__awsctx_region)
    builtin set -l __awsctx_account $__awsctx_values[3]
    builtin test -n "$__awsctx_account"; or builtin set __awsctx_account $__awsctx_values[2]
    builtin set -l __awsctx_text
    if builtin test -z "$@AWSCTX_VAR_PROMPT_FORMAT@"
        builtin set __awsctx_text (builtin string join ' ' -- aws:$__awsctx_values[1] $__awsctx_account $__awsctx_values[4] $__awsctx_expiry | builtin string replace -ra ' +' ' ' | builtin string trim -r)
    else
        # Placeholders become control characters first (none is left in a value), so that a value
        # holding `{region}` stays itself. An empty one takes a space next to it along.
        builtin set __awsctx_text (builtin string replace -ra '[\x00-\x1f\x7f-\x9f]' '?' -- "$@AWSCTX_VAR_PROMPT_FORMAT@")
        @AWSCTX_MARK_PLACEHOLDERS@
        builtin set -l __awsctx_marks @AWSCTX_PLACEHOLDER_MARKS@
        # Each placeholder shows the variable named after it, the control characters replaced.
        builtin set __awsctx_profile $__awsctx_values[1]
        builtin set __awsctx_id $__awsctx_values[2]
        builtin set __awsctx_alias $__awsctx_values[3]
        builtin set __awsctx_region $__awsctx_values[4]
        builtin set -l __awsctx_all @AWSCTX_PLACEHOLDER_VALUES@
        for __awsctx_i in @AWSCTX_PLACEHOLDER_INDEXES@
            builtin set -l __awsctx_mark $__awsctx_marks[$__awsctx_i]
            if builtin test -n "$__awsctx_all[$__awsctx_i]"
                builtin set __awsctx_text (builtin string replace -a $__awsctx_mark $__awsctx_all[$__awsctx_i] -- $__awsctx_text)
            else
                builtin set __awsctx_text (builtin string replace -a " $__awsctx_mark" '' -- $__awsctx_text | builtin string replace -a "$__awsctx_mark " '' | builtin string replace -a $__awsctx_mark '')
            end
        end
    end
    builtin set -g __awsctx_prompt_text "$__awsctx_text"
    if builtin test -z "$__awsctx_prompt_text"
        builtin set -e @AWSCTX_VAR_SEGMENT@
    else if builtin test "$@AWSCTX_VAR_SEGMENT@" != "$__awsctx_prompt_text"
        builtin set -gx @AWSCTX_VAR_SEGMENT@ $__awsctx_prompt_text
    end
end

# Print the segment last rendered, with a space after it; nothing when there is none.
function __awsctx_prompt_print
    builtin test -n "$__awsctx_prompt_text"; or return 0
    builtin printf '%s%s%s ' "$__awsctx_prompt_on" "$__awsctx_prompt_text" "$__awsctx_prompt_off"
end

# Public: print the segment, for your own fish_prompt (or one loaded with --no-prompt). Keeps $status.
function awsctx_prompt --description 'Print the awsctx segment: AWS profile, account, region, expiry'
    builtin set -l __awsctx_status $status
    __awsctx_prompt_hook
    __awsctx_prompt_print
    return $__awsctx_status
end

# Wrap the user's prompt once, however often this is loaded: the segment, then their prompt.
if builtin test -n "$__awsctx_prompt_place"; and not builtin functions -q __awsctx_user_fish_prompt
    if builtin functions -q fish_prompt
        builtin functions --copy fish_prompt __awsctx_user_fish_prompt
    else
        function __awsctx_user_fish_prompt
        end
    end
    function fish_prompt --description 'awsctx segment, then your prompt'
        # Their prompt runs first, so that it sees $status and $pipestatus untouched.
        builtin set -l __awsctx_user (__awsctx_user_fish_prompt | builtin string collect -N)
        builtin test -z "$__awsctx_prompt_place"; or __awsctx_prompt_print
        builtin printf '%s' $__awsctx_user
    end
end

# ---------------------------------------------------------------------------------------------------
# A profile per folder: before each prompt, when the folder has changed, find the nearest
# @AWSCTX_FOLDER_FILE@ file in it or above it with builtins (one `path filter`: no process). Only
# when that is not the file last seen does the program run: it switches to the profile an allowed
# file names, or goes back to what the shell had before entering the tree it has left. The
# program's side (trust, the file's format, going back): awsctx/folders.py.

# Whether this integration switches by folder (`awsctx init fish --no-folders`: it does not).
builtin set -g __awsctx_folders_on @AWSCTX_FOLDERS_ON@
# The folder last looked at; the nearest file found there; the file whose profile is in force (the
# innermost of @AWSCTX_VAR_FOLDERS@). `-` (no path) has the program look, in a shell that inherited
# @AWSCTX_VAR_FOLDERS@ or after `awsctx allow` and `deny`.
builtin set -q __awsctx_folder_pwd; or builtin set -g __awsctx_folder_pwd ''
if not builtin set -q __awsctx_folder_seen
    builtin set -g __awsctx_folder_seen ''
    builtin set -g __awsctx_folder_top ''
    if builtin test -n "$@AWSCTX_VAR_FOLDERS@"
        builtin set __awsctx_folder_seen -
        builtin set __awsctx_folder_top -
    end
end

# Before every prompt. Most prompts find the same folder: one comparison. Keeps $status. Loaded
# again with --no-folders: no longer run.
if builtin test -n "$__awsctx_folders_on"
    function __awsctx_folder_hook --on-event fish_prompt
        builtin set -l __awsctx_status $status
        builtin test "$PWD" = "$__awsctx_folder_pwd"; or __awsctx_folder_check
        return $__awsctx_status
    end
else
    builtin functions --erase __awsctx_folder_hook
end

# The folder has changed: look for the nearest file, and ask the program only when it differs from
# the one seen last (entering, leaving or changing trees) and from the one in force.
function __awsctx_folder_check
    builtin set -g __awsctx_folder_pwd $PWD
    # Every place the file could be, nearest first; one `path filter` tests them all.
    builtin set -l __awsctx_candidates
    builtin set -l __awsctx_dir $PWD
    if builtin string match -q -- "*"\n"*" "$PWD"
        # A folder name holding a newline: up one level at a time, NUL-separated so that it stays one name.
        while builtin string match -q -- '/?*' "$__awsctx_dir"
            builtin set -a __awsctx_candidates "$__awsctx_dir/@AWSCTX_FOLDER_FILE@"
            builtin set __awsctx_dir (builtin path dirname -Z -- $__awsctx_dir | builtin string split0)
        end
    else if builtin string match -q -- '/*' "$PWD"
        builtin set __awsctx_dir ''
        for __awsctx_part in (builtin string split -n -- / $PWD)
            builtin set __awsctx_dir "$__awsctx_dir/$__awsctx_part"
            builtin set -p __awsctx_candidates "$__awsctx_dir/@AWSCTX_FOLDER_FILE@"
        end
    end
    # $PWD is absolute, unless set by hand: then there is no folder above it to look in.
    builtin string match -q -- '/*' "$PWD"; and builtin set -a __awsctx_candidates /@AWSCTX_FOLDER_FILE@
    builtin set -l __awsctx_files (builtin path filter -f -Z -- $__awsctx_candidates | builtin string split0)
    builtin set -l __awsctx_found "$__awsctx_files[1]"
    builtin test "$__awsctx_found" != "$__awsctx_folder_seen"; or return 0
    if builtin test "$__awsctx_found" = "$__awsctx_folder_top"
        # Back in the tree in force, from below it (a file there changed nothing): nothing to switch.
        builtin set -g __awsctx_folder_seen $__awsctx_found
        return 0
    end
    # Through the shell function, which applies what the program prints all or nothing; then the
    # segment, whose hook may have run before this one at this prompt.
    awsctx @AWSCTX_FOLDER_HOOK@ "$__awsctx_found"
    __awsctx_prompt_hook
end
