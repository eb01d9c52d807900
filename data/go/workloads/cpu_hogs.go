package main

import "sync"

// cpuHogs: n goroutines that each run one tight loop with no function calls; only
// sysmon's preemption (proc.go: retake -> preemptone, SIGURG) takes their P away.
func cpuHogs(n int, iters int64) {
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			burn(iters)
			wg.Done()
		}()
	}
	wg.Wait()
}
