# keelctl.bash: bash completion for keelctl — commands, options, service names and flags.
# SPDX-License-Identifier: MIT
# Install as /usr/share/bash-completion/completions/keelctl (or source it).

_keelctl()
{
	local cur prev words cword
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="status list start stop restart reload cond events analyze chart times
		watchdog health log enable disable reboot poweroff halt"
	local options="--socket --log-socket --json --wait --timeout --from --version --help"

	case $prev in
	-s | --socket | --log-socket | --from)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-t | --timeout | -n | --lines)
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$options" -- "$cur"))
		return
	fi
	# The command: the first word that is not an option or an option's value.
	local i cmd= sub= arg= sock=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-s | --socket) sock=${COMP_WORDS[i + 1]}; ((i++)) ;;
		--log-socket | --from | -t | --timeout | -n | --lines) ((i++)) ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; else arg=${COMP_WORDS[i]}; fi
			;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	fi
	local names
	case $cmd in
	status | start | stop | restart | log)
		[[ -n $sub ]] && return
		names=$(keelctl ${sock:+--socket "$sock"} list 2>/dev/null)
		COMPREPLY=($(compgen -W "$names" -- "$cur"))
		;;
	reload)
		[[ -n $sub ]] && return
		names=$(keelctl ${sock:+--socket "$sock"} list 2>/dev/null)
		COMPREPLY=($(compgen -W "$names" -- "$cur"))
		;;
	enable | disable)
		[[ -n $sub ]] && return
		COMPREPLY=($(compgen -W "$(ls /usr/share/init 2>/dev/null)" -- "$cur"))
		;;
	cond)
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "set clear" -- "$cur"))
		fi
		;;
	analyze)
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "blame critical-chain" -- "$cur"))
		elif [[ $sub == critical-chain && -z $arg ]]; then
			names=$(keelctl ${sock:+--socket "$sock"} list 2>/dev/null)
			COMPREPLY=($(compgen -W "$names" -- "$cur"))
		fi
		;;
	esac
}
complete -F _keelctl keelctl
