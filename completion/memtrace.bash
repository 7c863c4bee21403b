# bash completion for memtrace(8). The option lists below follow `memtrace CMD --help`;
# tests/man/sync.sh fails, naming the option and the place, when they drift apart.

_memtrace_commands="run record report top check layout addr diff"

_memtrace_run_common="--duration --pid --cgroup --per-thread --json --html --pprof --interval
	--top --openmetrics --max-procs --include-self --raw-addresses --no-call-sites --outstanding
	--min-age --stacks --folded --folded-outstanding --outstanding-entries --stack-entries
	--stack-sample --stack-depth --call-site-entries --class --no-stalls --verbose --help"
_memtrace_opts_run="$_memtrace_run_common --fail-if --baseline --list-metrics --latency"
_memtrace_opts_record="$_memtrace_run_common --output --force --no-kallsyms"
_memtrace_opts_report="--json --html --pprof --top --openmetrics --raw-addresses --help"
_memtrace_opts_top="--interval --rows --sort --pid --count --openmetrics --json --html --listen
	--max-procs --include-self --raw-addresses --verbose --help"
_memtrace_opts_check="--json --verbose --help"
_memtrace_opts_layout="--json --verbose --help"
_memtrace_opts_addr="--phys --help"
_memtrace_opts_diff="--base --min-bytes --min-count --min-rel --all --top --json --folded --help"

# options whose argument is a file
_memtrace_file_opts="--json --html --pprof --openmetrics --folded --folded-outstanding --baseline
	--output -o --base"
_memtrace_classes="logical physical virtual bus user high"
_memtrace_sort_keys="bytes allocs frees net"

_memtrace()
{
	local cur prev cmd opts w i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$_memtrace_commands --help --version" -- "$cur"))
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	# after run/record's `--`, the rest is a command line: complete commands, then files
	for ((i = 2; i < COMP_CWORD; i++)); do
		if [ "${COMP_WORDS[i]}" = "--" ]; then
			if [ $((i + 1)) -eq "$COMP_CWORD" ]; then
				COMPREPLY=($(compgen -c -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return 0
		fi
	done
	case $prev in
	--class)
		# a comma-separated list: complete the last name, keep what precedes it
		local pre=${cur%"${cur##*,}"} last=${cur##*,}
		COMPREPLY=($(compgen -P "$pre" -W "$_memtrace_classes" -- "$last"))
		return 0
		;;
	--sort)
		[ "$cmd" = top ] && COMPREPLY=($(compgen -W "$_memtrace_sort_keys" -- "$cur"))
		return 0
		;;
	--cgroup)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0
		;;
	esac
	for w in $_memtrace_file_opts; do
		if [ "$prev" = "$w" ]; then
			COMPREPLY=($(compgen -f -- "$cur"))
			return 0
		fi
	done
	case $cmd in
	run | record | report | top | check | layout | addr | diff) ;;
	*) return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		opts=_memtrace_opts_$cmd
		COMPREPLY=($(compgen -W "${!opts}" -- "$cur"))
		return 0
	fi
	# positional files: report FILE, diff BASE NEW (--base A B C NEW)
	case $cmd in
	report | diff) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}
complete -F _memtrace memtrace
