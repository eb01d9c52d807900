// Command workloads runs one of gmplab's standard scheduler workloads on the real Go
// runtime, so that its GODEBUG=schedtrace output can be compared with the simulator.
//
//	workloads -workload=fanout -n=2000 -cpu_ns=20000 -iters_per_us=350
//
// Every workload burns CPU with a calibrated loop (burn) instead of wall-clock spinning:
// on a machine with fewer cores than Ps a wall-clock spin would measure the OS
// scheduler, not the amount of work. `-workload=calibrate` prints the loop speed that
// record.py passes back in as -iters_per_us, and `-workload=probe` how long the short
// sleeps of sysmon (usleep(20)) and of a thief's back-off (usleep(3)) really take.
//
// On exit the program prints one line on stdout:
//
//	GMPLAB workload=fanout gomaxprocs=4 start_ns=312000 makespan_ns=9812345 ...
//
// start_ns is the time from package initialisation (≈ process start, and within a
// millisecond of schedtrace's "SCHED 0ms") to the start of the workload, so that
// trace lines can be aligned with the workload; makespan_ns is its wall-clock length and
// cpu_ns the CPU time all its threads used meanwhile.
// The schedtrace lines themselves go to stderr (written by the runtime's sysmon).
//
// Only the standard library is used, so the program builds offline with any Go >= 1.19.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

var processStart = time.Now()

// sink keeps burn's result alive so the compiler cannot delete the loop.
var sink uint64

// burn executes iters rounds of xorshift64: pure CPU, no calls, no allocation, so the
// only way another goroutine gets this P is preemption (async, SIGURG, since Go 1.14).
func burn(iters int64) {
	x := uint64(iters) | 1
	for i := int64(0); i < iters; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	sink += x
}

// processCPU is the CPU time (user + system) of every thread of the process so far; over
// the workload, cpu_ns / makespan_ns is how many cores the run really got (on a shared
// machine, other processes can take some away).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func calibrate() float64 {
	const iters = 20_000_000
	speeds := make([]float64, 0, 7)
	for k := 0; k < 7; k++ {
		t := time.Now()
		burn(iters)
		speeds = append(speeds, float64(iters)/float64(time.Since(t).Microseconds()))
	}
	sort.Float64s(speeds)
	return speeds[len(speeds)-1] // fastest run: least disturbed by other processes
}

func main() {
	workload := flag.String("workload", "", "fanout | syscall_mix | pingpong | pipeline | cpu_hogs | calibrate | probe")
	n := flag.Int("n", 1000, "number of goroutines (fanout, syscall_mix, cpu_hogs)")
	rounds := flag.Int("rounds", 10, "rounds per goroutine (syscall_mix, pingpong)")
	pairs := flag.Int("pairs", 4, "goroutine pairs (pingpong)")
	stages := flag.Int("stages", 4, "pipeline stages")
	items := flag.Int("items", 100, "items pushed through the pipeline")
	cpuNs := flag.Int64("cpu_ns", 10_000, "CPU burst per step in ns")
	syscallNs := flag.Int64("syscall_ns", 500_000, "blocking syscall length in ns (syscall_mix)")
	durationNs := flag.Int64("duration_ns", 50_000_000, "CPU per hog in ns (cpu_hogs)")
	itersPerUs := flag.Float64("iters_per_us", 0, "burn loop speed from -workload=calibrate")
	flag.Parse()

	if *workload == "calibrate" {
		fmt.Printf("GMPLAB calibrate iters_per_us=%.3f\n", calibrate())
		return
	}
	if *workload == "probe" {
		probe(*syscallNs)
		return
	}
	if *itersPerUs <= 0 {
		fmt.Fprintln(os.Stderr, "workloads: -iters_per_us must be > 0 (run -workload=calibrate)")
		os.Exit(2)
	}
	iters := func(ns int64) int64 { return int64(float64(ns) / 1000 * *itersPerUs) }

	var params string
	var run func()
	switch *workload {
	case "fanout":
		params = fmt.Sprintf("n=%d cpu_ns=%d", *n, *cpuNs)
		run = func() { fanout(*n, iters(*cpuNs)) }
	case "syscall_mix":
		params = fmt.Sprintf("n=%d rounds=%d cpu_ns=%d syscall_ns=%d", *n, *rounds, *cpuNs, *syscallNs)
		run = func() { syscallMix(*n, *rounds, iters(*cpuNs), *syscallNs) }
	case "pingpong":
		params = fmt.Sprintf("pairs=%d rounds=%d", *pairs, *rounds)
		run = func() { pingpong(*pairs, *rounds) }
	case "pipeline":
		if *stages < 2 {
			fmt.Fprintln(os.Stderr, "workloads: -stages must be >= 2")
			os.Exit(2)
		}
		params = fmt.Sprintf("stages=%d items=%d cpu_ns=%d", *stages, *items, *cpuNs)
		run = func() { pipeline(*stages, *items, iters(*cpuNs)) }
	case "cpu_hogs":
		params = fmt.Sprintf("n=%d duration_ns=%d", *n, *durationNs)
		run = func() { cpuHogs(*n, iters(*durationNs)) }
	default:
		fmt.Fprintf(os.Stderr, "workloads: unknown -workload=%q\n", *workload)
		os.Exit(2)
	}

	cpuBefore := processCPU()
	start := time.Now()
	run()
	makespan := time.Since(start)
	cpu := processCPU() - cpuBefore
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println(strings.Join([]string{
		"GMPLAB",
		"workload=" + *workload,
		fmt.Sprintf("gomaxprocs=%d", runtime.GOMAXPROCS(0)),
		params,
		fmt.Sprintf("iters_per_us=%.3f", *itersPerUs),
		fmt.Sprintf("start_ns=%d", start.Sub(processStart).Nanoseconds()),
		fmt.Sprintf("makespan_ns=%d", makespan.Nanoseconds()),
		fmt.Sprintf("cpu_ns=%d", cpu.Nanoseconds()),
		fmt.Sprintf("numgc=%d", ms.NumGC),
		"go=" + runtime.Version(),
	}, " "))
}
