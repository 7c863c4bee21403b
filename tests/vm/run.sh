#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Boot Debian kernels in QEMU and run memtrace's in-guest tests (tests/vm/vmcheck.c) in each;
# print a results table (test x kernel) and fail if any kernel failed a test or did not
# finish. `make vmtest` builds the static binaries and calls this.
#
# usage: tests/vm/run.sh BINDIR KERNEL...
#   BINDIR   an OUTPUT tree with static memtrace, tests/workload and tests/vmcheck
#   KERNEL   a name fetch-kernel.sh knows (6.1, 6.12, 7.x, 6.1-686-pae), optionally with a
#            variant after a colon: 7.x:swiotlb boots with swiotlb=force (no IOMMU)
# environment:
#   MT_VM_CACHE    kernel cache (default .vmtest-cache, git-ignored)
#   MT_VM_OUT      logs and initramfs (default BINDIR)
#   MT_VM_ARCH     x86_64 (default) or i386
#   MT_VM_TESTS    vmcheck arguments, comma-separated (e.g. "--verbose,slab")
#   MT_VM_TIMEOUT  seconds per VM (default 900: a 6.12 run took 299 s on a loaded 2-core host)
# QEMU runs with TCG (KVM guests hang on these machines), one VM at a time.
set -euo pipefail

bindir=$1
shift
specs=("$@")
cache=${MT_VM_CACHE:-.vmtest-cache}
out=${MT_VM_OUT:-$bindir}
arch=${MT_VM_ARCH:-x86_64}
tests=${MT_VM_TESTS:-}
vm_timeout=${MT_VM_TIMEOUT:-900}
here=$(dirname "$0")
start=$(date +%s)
mkdir -p "$out" "$cache"

# 1. kernels (downloaded once, then cached)
kdirs=()
for k in "$@"; do
	kdirs+=("$("$here/fetch-kernel.sh" "$cache" "${k%%:*}")")
	if [ "$arch" = i386 ]; then
		"$here/mkbtf.sh" "$cache" "${kdirs[-1]}" >&2
	fi
done
t_fetch=$(($(date +%s) - start))

# 2. one initramfs for all kernels of the arch
case $arch in
x86_64)
	busybox=$(command -v busybox || true)
	qemu=qemu-system-x86_64
	;;
i386)
	busybox=$cache/i386/root/bin/busybox
	qemu=qemu-system-i386
	;;
*) echo "vmtest: unknown arch $arch" >&2; exit 2 ;;
esac
[ -x "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
	{ echo "vmtest: need a static busybox for $arch (busybox-static)" >&2; exit 1; }
initrd=$out/initramfs-$arch.cpio.gz
"$here/mkinitramfs.sh" "$initrd" "$busybox" "$bindir/memtrace" "$bindir/tests/workload" \
	"$bindir/tests/vmcheck" "${kdirs[@]}"
# the DMA tests read this disk through the emulated AHCI controller
disk=$out/disk.img
[ -e "$disk" ] || truncate -s 1M "$disk"

# 3. boot each kernel, one at a time
declare -A result detail
names=()
order=()
failed_kernels=0
for i in "${!kdirs[@]}"; do
	spec=${specs[$i]}
	kdir=${kdirs[$i]}
	rel=$(cat "$kdir/release")
	variant=
	[ "$spec" != "${spec#*:}" ] && variant=${spec#*:}
	name=$rel${variant:+:$variant}
	names+=("$name")
	log=$out/vm-${name//[:\/]/_}.log
	# no_timer_check: a loaded host makes TCG too slow for the IO-APIC timer check (6.12
	# panicked "timer doesn't work through Interrupt-remapped IO-APIC")
	cmdline="console=ttyS0 rdinit=/init panic=-1 loglevel=1 no_timer_check vmtest.args=$tests"
	machine=(-machine q35 -nic none
		 -drive "file=$disk,if=none,id=d0,format=raw,snapshot=on"
		 -device ide-hd,drive=d0,bus=ide.0)
	case $variant in
	"")
		# translated bus addresses: the emulated VT-d IOMMU
		machine+=(-device intel-iommu)
		cmdline+=" intel_iommu=on"
		;;
	swiotlb) cmdline+=" swiotlb=force" ;;	# every streaming mapping bounces
	*) echo "vmtest: unknown variant '$variant'" >&2; exit 2 ;;
	esac
	case $arch in
	x86_64) mem=1G ;;
	i386) mem=3G; machine=(-machine pc -nic none) ;;	# 3G: about 2.2 GB of HighMem
	esac
	t0=$(date +%s)
	printf '  VM       %s ...' "$name" >&2
	rc=0
	timeout -k 10 "$vm_timeout" "$qemu" -nographic -no-reboot -accel tcg -cpu max \
		-m "$mem" -smp 2 "${machine[@]}" -kernel "$kdir/vmlinux" -initrd "$initrd" \
		-append "$cmdline" </dev/null >"$log" 2>&1 || rc=$?
	printf ' %ds\n' $(($(date +%s) - t0)) >&2
	# the console may carry \r and kernel messages: keep only whole VMTEST lines
	got=0
	while read -r tag test verdict rest; do
		[ "$tag" = VMTEST-RESULT ] || continue
		[ -n "${result[$test]+x}" ] || order+=("$test")
		result[$test]=1
		result[$test,$name]=$verdict
		detail[$test,$name]=$rest
		got=1
	done < <(tr -d '\r' <"$log")
	end=$(tr -d '\r' <"$log" | sed -n 's/^VMTEST-END rc=\([0-9]*\).*/\1/p' | tail -n 1)
	if [ -z "$end" ] || [ "$got" = 0 ]; then
		result[__vm__,$name]=FAIL
		detail[__vm__,$name]="did not finish (qemu exit $rc); last lines of $log:"
		failed_kernels=$((failed_kernels + 1))
		tail -n 15 "$log" | sed 's/^/    | /' >&2
	elif [ "$end" != 0 ]; then
		failed_kernels=$((failed_kernels + 1))
	fi
done

# 4. the table: one row per test, one column per kernel
passed=0 failed=0 skipped=0
w=12
for n in "${names[@]}"; do [ ${#n} -ge $w ] && w=$((${#n} + 1)); done
echo
echo "== vmtest results ($arch, $(($(date +%s) - start)) s, fetch ${t_fetch} s)"
printf '%-14s' test
for n in "${names[@]}"; do printf " %-${w}s" "$n"; done
echo
for t in "${order[@]}" __vm__; do
	row=$(printf '%-14s' "$t")
	any=0
	for n in "${names[@]}"; do
		v=${result[$t,$n]:-}
		[ "$t" = __vm__ ] && [ -z "$v" ] && v=ok
		[ -z "$v" ] && v=-
		[ "$v" != ok ] && any=1
		row+=$(printf " %-${w}s" "$v")
		case $v in
		PASS) passed=$((passed + 1)) ;;
		FAIL) failed=$((failed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		-) [ "$t" != __vm__ ] && failed=$((failed + 1)) ;;	# no verdict: never a pass
		esac
	done
	[ "$t" = __vm__ ] && [ "$any" = 0 ] && continue
	echo "${row/#__vm__/boot  }"
done
echo
for t in "${order[@]}" __vm__; do
	for n in "${names[@]}"; do
		case ${result[$t,$n]:-} in
		FAIL | SKIP) echo "  $n ${t/#__vm__/boot} ${result[$t,$n]}: ${detail[$t,$n]}" ;;
		esac
	done
done
echo "vmtest: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$failed_kernels" -eq 0 ]
