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

# The folder has changed (the prompt hook compares $PWD with the folder last looked at: see
# shell/prompt.sh): look for the nearest file, and ask the program only when it differs from the
# one seen last (entering, leaving or changing trees) and from the one in force.
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

#@zsh
# A `cd` typed at the prompt (pushd, popd and auto_cd too) looks at once, before any precmd function
# (a theme's) sees the profile. A cd in a function, a subshell or a startup file is left to the
# prompt hook, which finds $PWD changed (shell/prompt.sh), as is a shell started in a folder.
# Registered once however often this is loaded; loaded again with --no-folders: taken out.
__awsctx_folder_chpwd() {
    (( ZSH_SUBSHELL || ${#funcstack} > 1 )) || __awsctx_folder_check
}
(( ${+chpwd_functions} )) || typeset -ga chpwd_functions
chpwd_functions=(${chpwd_functions:#__awsctx_folder_chpwd})
[[ -z $__awsctx_folders_on ]] || chpwd_functions+=(__awsctx_folder_chpwd)
#@end
