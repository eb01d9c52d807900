package main

import "sync"

// fanout: one spawner starts n goroutines of one CPU burst each, then waits for all.
// Every `go` puts the new G in the spawner P's runnext and kicks the previous one to the
// local ring (proc.go: newproc -> runqput(next=true)); idle Ps are woken by wakep and
// steal half of that ring.
func fanout(n int, iters int64) {
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
