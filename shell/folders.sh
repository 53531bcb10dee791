#@# A profile per folder, for bash and zsh: one template, filled in by `awsctx init` (see
#@# awsctx/shellinit.py) where awsctx.bash and awsctx.zsh name @AWSCTX_FOLDERS_CODE@. The code is
#@# their common dialect; what only one of them needs sits between `#@bash` or `#@zsh` and `#@end`.
#@# The program's side (trust, the file's format, going back): awsctx/folders.py.
#@# Lines starting `#@` never reach the output.
# ---------------------------------------------------------------------------------------------------
# A profile per folder: before each prompt, when the folder has changed, find the nearest
# @AWSCTX_FOLDER_FILE@ file in it or above it with builtins (one `[[ -f ]]` a level: no process). Only
# when that is not the file last seen does the program run: it switches to the profile an allowed
# file names, or goes back to what the shell had before entering the tree it has left.

# Whether this integration switches by folder (`awsctx init SHELL --no-folders`: it does not).
#@bash
__awsctx_folders_on=@AWSCTX_FOLDERS_ON@
# The folder last looked at; the nearest file found there; the file whose profile is in force (the
# innermost of @AWSCTX_VAR_FOLDERS@). `-` (no path) has the program look, in a shell that inherited
# @AWSCTX_VAR_FOLDERS@ or after `awsctx allow` and `deny`.
__awsctx_folder_pwd=${__awsctx_folder_pwd-}
__awsctx_folder_seen=${__awsctx_folder_seen-${@AWSCTX_VAR_FOLDERS@:+-}}
__awsctx_folder_top=${__awsctx_folder_top-${@AWSCTX_VAR_FOLDERS@:+-}}
#@end
#@zsh
typeset -g __awsctx_folders_on=@AWSCTX_FOLDERS_ON@
# The folder last looked at; the nearest file found there; the file whose profile is in force (the
# innermost of @AWSCTX_VAR_FOLDERS@). `-` (no path) has the program look, in a shell that inherited
# @AWSCTX_VAR_FOLDERS@ or after `awsctx allow` and `deny`.
typeset -g __awsctx_folder_pwd=${__awsctx_folder_pwd-}
typeset -g __awsctx_folder_seen=${__awsctx_folder_seen-${@AWSCTX_VAR_FOLDERS@:+-}}
typeset -g __awsctx_folder_top=${__awsctx_folder_top-${@AWSCTX_VAR_FOLDERS@:+-}}
#@end

# Before every prompt. Most prompts find the same folder: one comparison. Keeps $?.
__awsctx_folder_hook() {
    \builtin local __awsctx_status=$?
    [[ $PWD == "$__awsctx_folder_pwd" ]] || __awsctx_folder_check
    return "$__awsctx_status"
}

# The folder has changed: look for the nearest file, and ask the program only when it differs from
# the one seen last (entering, leaving or changing trees) and from the one in force.
__awsctx_folder_check() {
#@zsh
    \builtin emulate -L zsh
#@end
    __awsctx_folder_pwd=$PWD
    [[ -n $__awsctx_folders_on ]] || return 0
    \builtin local __awsctx_dir="${PWD%/}" __awsctx_found=''
    # $PWD is absolute, unless set by hand: then there is no folder above it to look in.
    if [[ $PWD == /* ]]; then
        while :; do
            if [[ -f $__awsctx_dir/@AWSCTX_FOLDER_FILE@ ]]; then
                __awsctx_found=$__awsctx_dir/@AWSCTX_FOLDER_FILE@
                break
            fi
            [[ -n $__awsctx_dir ]] || break
            __awsctx_dir=${__awsctx_dir%/*}
        done
    fi
    [[ $__awsctx_found != "$__awsctx_folder_seen" ]] || return 0
    if [[ $__awsctx_found == "$__awsctx_folder_top" ]]; then
        # Back in the tree in force, from below it (a file there changed nothing): nothing to switch.
        __awsctx_folder_seen=$__awsctx_found
        return 0
    fi
    # Through the shell function, which applies what the program prints all or nothing.
    \awsctx @AWSCTX_FOLDER_HOOK@ "$__awsctx_found"
}

#@bash
# Run the hook first before each prompt (a switch it makes is then in place when the segment is
# rendered), once however often this is loaded: through bash-preexec's precmd_functions when it is
# there, else in PROMPT_COMMAND, array or string. Loaded again with --no-folders: taken out.
__awsctx_folder_place() {
    __awsctx_folder_list=()
    [[ -z $__awsctx_folders_on ]] || __awsctx_folder_list=(__awsctx_folder_hook)
    \builtin local __awsctx_item
    for __awsctx_item in "$@"; do
        [[ $__awsctx_item == __awsctx_folder_hook ]] || __awsctx_folder_list+=("$__awsctx_item")
    done
}
if [[ ${__bp_imported-} == defined ]]; then
    __awsctx_folder_place ${precmd_functions[@]+"${precmd_functions[@]}"}
    precmd_functions=("${__awsctx_folder_list[@]}")
elif [[ -n ${PROMPT_COMMAND+set} && ${BASH_VERSINFO[0]}${BASH_VERSINFO[1]} -ge 51 && ${PROMPT_COMMAND@a} == *a* ]]; then
    __awsctx_folder_place "${PROMPT_COMMAND[@]}"
    PROMPT_COMMAND=("${__awsctx_folder_list[@]}")
elif [[ -n $__awsctx_folders_on && ${PROMPT_COMMAND-} != *__awsctx_folder_hook* ]]; then
    # shellcheck disable=SC2128,SC2178 # a string here, not an array
    PROMPT_COMMAND=__awsctx_folder_hook${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}
elif [[ -z $__awsctx_folders_on && ${PROMPT_COMMAND-} == *__awsctx_folder_hook* ]]; then
    # shellcheck disable=SC2128,SC2178 # a string here, not an array
    PROMPT_COMMAND=${PROMPT_COMMAND//__awsctx_folder_hook$'\n'/}
    # shellcheck disable=SC2128,SC2178 # a string here, not an array
    [[ $PROMPT_COMMAND != __awsctx_folder_hook ]] || PROMPT_COMMAND=''
fi
\builtin unset -v __awsctx_folder_list
\builtin unset -f __awsctx_folder_place
#@end
#@zsh
# Run the hook first before each prompt (a switch it makes is then in place when the segment is
# rendered), once however often this is loaded. Loaded again with --no-folders: taken out.
(( ${+precmd_functions} )) || typeset -ga precmd_functions
precmd_functions=(${precmd_functions:#__awsctx_folder_hook})
[[ -z $__awsctx_folders_on ]] || precmd_functions=(__awsctx_folder_hook $precmd_functions)
#@end
