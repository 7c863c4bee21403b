# bash completion for memtrace. Options are read from `memtrace CMD --help` at completion
# time, so this file never falls out of step with the binary it completes.

_memtrace()
{
	local cur prev cmd opts
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "run top record report check layout addr --help" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	# an option whose --help argument is FILE takes a path
	if "${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null | grep -qE -- "^ .*${prev}[ =]FILE"; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		opts=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null |
			grep -oE -- '^ +(-[a-zA-Z], )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+')
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	[ "$cmd" = report ] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _memtrace memtrace
