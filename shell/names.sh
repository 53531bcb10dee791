#@# Tab's names files, for bash and zsh: one template, filled in by `awsctx init` (see
#@# awsctx/shellinit.py) where awsctx.bash and awsctx.zsh name @AWSCTX_NAMES_CODE@. The files and
#@# their first line are awsctx/tabnames.py's. Lines starting `#@` never reach the output.
# ---------------------------------------------------------------------------------------------------
# Tab completes a profile name from a file awsctx keeps in its cache folder, read with builtins;
# any doubt about the file sends Tab to the program instead. What bash and zsh ask of it alike:

# Where names file $1 is, into __awsctx_dir (the cache folder) and __awsctx_file (the caller's);
# status 1 unless the folder and the file are the user's own, and the file a regular one, not a
# link. (zsh also checks that neither is writable by others, with a module bash has no match for.)
__awsctx_names_at() {
    if [[ ${XDG_CACHE_HOME-} == /* ]]; then
        __awsctx_dir=$XDG_CACHE_HOME/awsctx
    elif [[ ${HOME-} == /* ]]; then
        __awsctx_dir=$HOME/.cache/awsctx
    else
        return 1
    fi
    __awsctx_file=$__awsctx_dir/$1
    [[ -d $__awsctx_dir && -O $__awsctx_dir && -f $__awsctx_file && ! -h $__awsctx_file && -O $__awsctx_file ]]
}

# Whether the file whose first line is $1 was made from the config files as they are now: the files
# it names are those in use, each as the stamp it names (in __awsctx_dir) says.
__awsctx_names_current() {
    # Quoted: through `builtin`, bash splits what `local` is given as it would any command's words.
    \builtin local __awsctx_config="${AWS_CONFIG_FILE-${HOME-}/.aws/config}" __awsctx_stamps="$1" \
        __awsctx_credentials="${AWS_SHARED_CREDENTIALS_FILE-${HOME-}/.aws/credentials}"
    [[ $__awsctx_stamps == @AWSCTX_NAMES_MAGIC@$'\037'"$__awsctx_config"$'\037'"$__awsctx_credentials"$'\037'* ]] ||
        return 1
    __awsctx_stamps=${__awsctx_stamps#@AWSCTX_NAMES_MAGIC@$'\037'"$__awsctx_config"$'\037'"$__awsctx_credentials"$'\037'}
    __awsctx_fresh "$__awsctx_config" "${__awsctx_stamps%%$'\037'*}" &&
        __awsctx_fresh "$__awsctx_credentials" "${__awsctx_stamps#*$'\037'}"
}

# Whether file $1 is as stamp $2 (in __awsctx_dir) says: its modification time, or `-` for no file.
__awsctx_fresh() {
    if [[ $2 == @AWSCTX_NAMES_NO_FILE@ ]]; then
        [[ ! -e $1 ]]
    else
        [[ $2 == @AWSCTX_NAMES_STAMP@[0-9]* && $2 != */* && -e $1 && ! $1 -nt $__awsctx_dir/$2 && ! $1 -ot $__awsctx_dir/$2 ]]
    fi
}
