package main

import (
	"fmt"
	"sort"
	"syscall"
	"time"
)

// probe measures how long the kernel really takes for the short sleeps the scheduler
// relies on, and for the blocking read syscall_mix uses. The runtime's sysmon sleeps
// with usleep(20) and a thief backs off with usleep(3) before stealing a runnext
// (proc.go: sysmon, runqgrab); on Linux usleep is nanosleep(2), which wakes up late by
// the thread's timer slack (50 µs by default) plus the wake-up latency of the machine.
// A model that sleeps exactly 20 µs retakes Ps from syscalls sooner than the real
// runtime does on such a machine.
func probe(syscallNs int64) {
	median := func(f func()) int64 {
		ds := make([]int64, 0, 301)
		for i := 0; i < 301; i++ {
			t := time.Now()
			f()
			ds = append(ds, time.Since(t).Nanoseconds())
		}
		sort.Slice(ds, func(a, b int) bool { return ds[a] < ds[b] })
		return ds[len(ds)/2]
	}
	sleep := func(ns int64) func() {
		return func() {
			ts := syscall.NsecToTimespec(ns)
			_ = syscall.Nanosleep(&ts, nil)
		}
	}
	fd := timerfdCreate()
	defer syscall.Close(fd)
	var buf [8]byte
	read := func() {
		timerfdArm(fd, syscallNs)
		_, _ = syscall.Read(fd, buf[:])
	}
	fmt.Printf("GMPLAB probe usleep3_ns=%d usleep20_ns=%d timerfd_read_ns=%d syscall_ns=%d\n",
		median(sleep(3_000)), median(sleep(20_000)), median(read), syscallNs)
}
