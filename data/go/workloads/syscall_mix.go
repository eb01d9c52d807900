package main

import (
	"fmt"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// syscallMix: n goroutines, each doing `rounds` times a CPU burst followed by a blocking
// system call of syscallNs.
//
// The blocking call is a raw read(2) on a blocking timerfd armed for syscallNs: the
// thread really sleeps in the kernel inside syscall.Read (entersyscall/exitsyscall),
// so its P sits in _Psyscall until sysmon's retake hands it off. Neither os.Pipe (its
// reads park in the netpoller) nor time.Sleep (a timer park) would hold the M.
func syscallMix(n, rounds int, iters int64, syscallNs int64) {
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer wg.Done()
			fd := timerfdCreate()
			defer syscall.Close(fd)
			var buf [8]byte
			for r := 0; r < rounds; r++ {
				burn(iters)
				timerfdArm(fd, syscallNs)
				if _, err := syscall.Read(fd, buf[:]); err != nil {
					fmt.Fprintln(os.Stderr, "read timerfd:", err)
					os.Exit(1)
				}
			}
		}()
	}
	wg.Wait()
}

const clockMonotonic = 1

type itimerspec struct {
	interval syscall.Timespec
	value    syscall.Timespec
}

func timerfdCreate() int {
	fd, _, errno := syscall.Syscall(syscall.SYS_TIMERFD_CREATE, clockMonotonic, 0, 0)
	if errno != 0 {
		fmt.Fprintln(os.Stderr, "timerfd_create:", errno)
		os.Exit(1)
	}
	return int(fd)
}

func timerfdArm(fd int, ns int64) {
	spec := itimerspec{value: syscall.NsecToTimespec(ns)}
	_, _, errno := syscall.Syscall6(syscall.SYS_TIMERFD_SETTIME, uintptr(fd), 0,
		uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	if errno != 0 {
		fmt.Fprintln(os.Stderr, "timerfd_settime:", errno)
		os.Exit(1)
	}
}
