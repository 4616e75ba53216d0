# bash completion of funnelcast: commands, options, and for --set the
# assumption paths (and channel spends) of the scenario file on the line,
# read from `funnelcast check FILE --format json`.
_funnelcast()
{
    local cur prev cmd file w
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "run compare merge plan optimize backtest check --help --version" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    for w in "${COMP_WORDS[@]:2}"; do
        case $w in *.lua) file=$w; break ;; esac
    done
    case $prev in
        --set)
            if [ -n "$file" ] && [ -r "$file" ]; then
                local keys
                keys=$(funnelcast check "$file" --format json 2>/dev/null |
                    sed -n 's/.*"path": "\([^"]*\)".*/\1/p' | sort -u)
                keys="$keys $(printf '%s\n' $keys | sed -n 's/^channels\.\([^.]*\)\..*/channels.\1.spend/p' | sort -u)"
                compopt -o nospace 2>/dev/null
                COMPREPLY=($(compgen -W "$keys" -S "=" -- "$cur"))
            fi
            return ;;
        --format) COMPREPLY=($(compgen -W "text json csv html" -- "$cur")); return ;;
        --lang|--locale) COMPREPLY=($(compgen -W "en fr" -- "$cur")); return ;;
        -o|--partial) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --actuals|--history) COMPREPLY=($(compgen -f -X '!*.csv' -- "$cur") $(compgen -d -- "$cur")); return ;;
        --vary) COMPREPLY=($(compgen -W "budget" -- "$cur")); return ;;
        --trials|--seed|--threads|--precision|--shard|--max-steps|--max-memory|--time-limit|\
        --script-time-limit|--goal|--confidence|--channels|--between|--budget|--objective|--min|--max|--train|--test)
            return ;;
    esac
    local opts="--trials --seed --threads --format -o --lang --locale --quiet --set --timing --fail-on-goal --precision
        --shard --partial --max-steps --max-memory --time-limit --script-time-limit --unsafe"
    case $cmd in
        run) opts="$opts --actuals" ;;
        plan) opts="$opts --goal --confidence --vary --channels --between" ;;
        backtest) opts="--history --train --test --trials --seed --threads --format -o --lang --locale --quiet --set
            --max-steps --max-memory --time-limit --script-time-limit --unsafe" ;;
        optimize) opts="$opts --budget --objective --channels --min --max" ;;
        check) opts="--format -o --lang" ;;
        merge) opts="--format -o --lang" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -X '!*.@(lua|bin)' -- "$cur") $(compgen -d -- "$cur"))
    fi
}
complete -F _funnelcast funnelcast
