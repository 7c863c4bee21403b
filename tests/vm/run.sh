#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Boot Debian kernels in QEMU and run memtrace's in-guest tests (tests/vm/vmcheck.c) in each;
# print a results table (test x kernel) and fail if any kernel failed a test or did not
# finish. `make vmtest` builds the static binaries and calls this.
#
# usage: tests/vm/run.sh BINDIR KERNEL...
#   BINDIR   an OUTPUT tree with static memtrace, tests/workload and tests/vmcheck
#   KERNEL   a name fetch-kernel.sh knows (6.1, 6.12, 7.x, 6.1-686-pae), optionally with a
#            variant after a colon: 7.x:swiotlb boots with swiotlb=force (no IOMMU),
#            6.12:direct with neither (dma-direct: bus address == physical address)
# environment:
#   MT_VM_CACHE    kernel cache (default .vmtest-cache, git-ignored)
#   MT_VM_OUT      logs and initramfs (default BINDIR)
#   MT_VM_ARCH     x86_64 (default) or i386
#   MT_VM_TESTS    vmcheck arguments, comma-separated (e.g. "--verbose,slab"), for every VM
#                  (default: every test, but a variant's own list: swiotlb and direct run
#                  the DMA tests)
#   MT_VM_TIMEOUT  seconds per VM (default 900: a 6.12 run took 299 s on a loaded 2-core host)
#   MT_VM_JOBS     VMs booted at once (default 2)
# QEMU runs with TCG (KVM guests hang on these machines). A test a VM was not asked to run
# shows as n/a in its column and counts neither as passed nor as failed.
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

# 3. boot the kernels, MT_VM_JOBS at a time
# The tests each variant runs ("" = all): swiotlb=force exists to prove bounces, direct the
# untranslated case (bus == physical); the rest of the kernel is the same as the IOMMU
# boot's, so those boots run the DMA tests alone.
declare -A variant_tests=([swiotlb]=dma_smoke,dma [direct]=dma_smoke,dma)
declare -A vm_tests vm_log vm_name
names=()
for i in "${!kdirs[@]}"; do
	spec=${specs[$i]}
	variant=
	[ "$spec" != "${spec#*:}" ] && variant=${spec#*:}
	case $variant in
	"" | swiotlb | direct) ;;
	*) echo "vmtest: unknown variant '$variant'" >&2; exit 2 ;;
	esac
	name=$(cat "${kdirs[$i]}/release")${variant:+:$variant}
	names+=("$name")
	vm_name[$i]=$name
	vm_log[$i]=$out/vm-${name//[:\/]/_}.log
	vm_tests[$i]=$tests
	[ -z "$tests" ] && [ -n "$variant" ] && vm_tests[$i]=${variant_tests[$variant]:-}
done

# One VM: boot, run vmcheck, power off; its time goes to LOG.time.
boot() {
	local i=$1 spec=${specs[$1]} kdir=${kdirs[$1]} variant= cmdline machine mem t0 rc=0 attempt
	local log=${vm_log[$1]}

	[ "$spec" != "${spec#*:}" ] && variant=${spec#*:}
	# no_timer_check: a loaded host makes TCG too slow for the IO-APIC timer check (6.12
	# panicked "timer doesn't work through Interrupt-remapped IO-APIC")
	# rcupdate.rcu_expedited: every perf-event tracepoint memtrace closes waits for RCU
	# grace periods (tracepoint_synchronize_unregister), seconds per run under TCG
	cmdline="console=ttyS0 rdinit=/init panic=-1 loglevel=1 no_timer_check"
	cmdline+=" rcupdate.rcu_expedited=1"
	cmdline+=" vmtest.args=${vm_tests[$i]}"
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
	direct) ;;	# no IOMMU, no forced bounce: dma-direct maps 1:1 below the device's mask
	esac
	case $arch in
	x86_64) mem=1G ;;
	i386) mem=3G; machine=(-machine pc -nic none) ;;	# 3G: about 2.2 GB of HighMem
	esac
	t0=$(date +%s)
	rm -f "$log.boot1"
	# thread=single: one host thread runs both vCPUs. With multi-threaded TCG a vCPU can
	# run a stale translation of code the other just re-patched (text_poke_bp's int3,
	# when memtrace attaches or detaches a tracepoint's static key): "Oops: int3" in
	# kfree and in kdamond, 2 of 32 boots. Two VMs at once still fill both host cores.
	for attempt in 1 2; do
		rc=0
		timeout -k 10 "$vm_timeout" "$qemu" -nographic -no-reboot \
			-accel tcg,thread=single -cpu max \
			-m "$mem" -smp 2 "${machine[@]}" -kernel "$kdir/vmlinux" \
			-initrd "$initrd" -append "$cmdline" </dev/null >"$log" 2>&1 || rc=$?
		# A guest kernel that died before /init started the tests (no VMTEST-BEGIN: an
		# Oops in kdamond during boot was seen once in 28 TCG boots) ran no memtrace
		# code: boot it once more, and say so. Anything after VMTEST-BEGIN counts.
		grep -aq 'VMTEST-BEGIN' "$log" && break
		[ "$attempt" = 2 ] && break
		cp "$log" "$log.boot1"
		printf '  VM       %s died before the tests (qemu exit %d, log %s): booting again\n' \
			"${vm_name[$i]}" "$rc" "$log.boot1" >&2
	done
	echo "$rc $(($(date +%s) - t0))" >"$log.time"
	printf '  VM       %s %ds\n' "${vm_name[$i]}" $(($(date +%s) - t0)) >&2
}

# Longest first: the full test list before a variant's few tests, newer kernels (slower
# under TCG) before older ones. TCG runs a guest's vCPUs on host threads, but the tests
# are mostly one process at a time: two guests fill two host cores where one does not.
jobs=${MT_VM_JOBS:-2}
order=()
for i in "${!kdirs[@]}"; do
	printf '%d %s %d\n' "$([ -n "${vm_tests[$i]}" ] && echo 1 || echo 0)" \
		"$(cat "${kdirs[$i]}/release")" "$i"
done | sort -k1,1n -k2,2Vr >"$out/vm-order"
while read -r _ _ i; do order+=("$i"); done <"$out/vm-order"
rm -f "$out/vm-order"
printf '  VM       %d boots, %d at a time\n' "${#order[@]}" "$jobs" >&2
running=0
for i in "${order[@]}"; do
	rm -f "${vm_log[$i]}.time"
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	boot "$i" &
	running=$((running + 1))
done
wait || true

# The results, in the order given: only whole VMTEST lines (the console carries \r and
# kernel messages)
declare -A result detail
order=()
failed_kernels=0
for i in "${!kdirs[@]}"; do
	name=${vm_name[$i]}
	log=${vm_log[$i]}
	rc=$(cut -d' ' -f1 "$log.time" 2>/dev/null || echo '?')
	got=0
	while read -r tag test verdict rest; do
		[ "$tag" = VMTEST-RESULT ] || continue
		[ -n "${result[$test]+x}" ] || order+=("$test")
		result[$test]=1
		result[$test,$name]=$verdict
		detail[$test,$name]=$rest
		got=1
	done < <(tr -d '\r' <"$log")
	# tests a VM was not asked to run: n/a (neither passed nor failed)
	if [ -n "${vm_tests[$i]}" ]; then
		IFS=, read -ra asked <<<"${vm_tests[$i]}"
		for t in "${asked[@]}"; do
			[ "${t#--}" = "$t" ] || continue	# an option, not a test
			result[$t,$name,asked]=1
			result[$name,restricted]=1
		done
	fi
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
		# a VM given a test list that leaves this test out: not run by design
		[ -z "$v" ] && [ -n "${result[$n,restricted]:-}" ] &&
			[ -z "${result[$t,$n,asked]:-}" ] && v=n/a
		[ -z "$v" ] && v=-
		[ "$v" != ok ] && [ "$v" != n/a ] && any=1
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
