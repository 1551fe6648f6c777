# bash completion for kestra-secrets
_kestra_secrets() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
  }
  local commands="list get put delete describe versions restore exec export import copy diff adopt encode-env check-config check-flows completion"
  local globals="-c --config --set -t --type -n --namespace --tenant --env-file -o --output -v --verbose -q --quiet --timeout --concurrency --ca-file --no-color --version -h --help"
  local types="env aws-secret-manager azure-key-vault azure-secret-manager google-secret-manager vault elasticsearch"

  case $prev in
    -c|--config|--env-file|--ca-file|--from-file|-O|--output-file|--to)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -t|--type) COMPREPLY=($(compgen -W "$types" -- "$cur")); return ;;
    -o|--output) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --format)
      case " ${words[*]} " in
        *" check-flows "*) COMPREPLY=($(compgen -W "text github" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "dotenv shell docker json yaml env-encoded" -- "$cur")) ;;
      esac
      return ;;
    --dialect) COMPREPLY=($(compgen -W "compose raw" -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
  esac

  local cmd="" w
  for w in "${words[@]:1:cword-1}"; do
    case " $commands " in *" $w "*) cmd=$w; break ;; esac
  done
  if [ -z "$cmd" ]; then
    if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$globals" -- "$cur"))
    else COMPREPLY=($(compgen -W "$commands" -- "$cur")); fi
    return
  fi
  local opts=""
  case $cmd in
    get) opts="--subkey --version --full --no-inherit" ;;
    put) opts="--subkey --from-file --value --tag --description --allow-empty --fields --dry-run" ;;
    delete) opts="--subkey --purge --recovery-days -y --yes --dry-run" ;;
    restore) opts="--dry-run" ;;
    exec) opts="--only --upper" ;;
    export) opts="--format --upper" ;;
    import) opts="--encoded --dialect --no-overwrite --dry-run" ;;
    copy) opts="--to --to-set --overwrite --skip-existing --fields --dry-run" ;;
    diff) opts="--to --to-set" ;;
    adopt) opts="--key --all --dry-run" ;;
    encode-env) opts="-O --output-file --prefix --dialect --interpolate --check --decode" ;;
    check-config) opts="--connect" ;;
    check-flows) opts="--strict --format" ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
  elif [ "$cmd" = encode-env ] || [ "$cmd" = import ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [ "$cmd" = check-flows ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _kestra_secrets kestra-secrets
