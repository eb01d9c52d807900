package main

import "sync"

// pipeline: `stages` goroutines in a chain joined by unbuffered channels; `items` values
// flow through and every stage burns cpu per item. Stage 0 produces the items and the
// last stage consumes them, as in gmplab.sched.workloads.pipeline; main only waits.
func pipeline(stages, items int, iters int64) {
	var wg sync.WaitGroup
	wg.Add(stages)
	chans := make([]chan int, stages-1)
	for i := range chans {
		chans[i] = make(chan int)
	}
	go func() { // stage 0: produce
		for i := 0; i < items; i++ {
			burn(iters)
			chans[0] <- i
		}
		close(chans[0])
		wg.Done()
	}()
	for s := 1; s < stages-1; s++ {
		go func(in <-chan int, out chan<- int) {
			for v := range in {
				burn(iters)
				out <- v
			}
			close(out)
			wg.Done()
		}(chans[s-1], chans[s])
	}
	go func() { // last stage: consume
		for range chans[stages-2] {
			burn(iters)
		}
		wg.Done()
	}()
	wg.Wait()
}
