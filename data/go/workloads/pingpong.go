package main

import "sync"

// pingpong: `pairs` pairs of goroutines exchanging one message each way per round over
// two unbuffered channels. A receive readies its partner into the current P's runnext
// (chan.go: send -> goready), so on one P a pair shares one time slice.
func pingpong(pairs, rounds int) {
	var wg sync.WaitGroup
	wg.Add(pairs)
	for p := 0; p < pairs; p++ {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for r := 0; r < rounds; r++ {
				ping <- r
				<-pong
			}
			wg.Done()
		}()
		go func() {
			for r := 0; r < rounds; r++ {
				v := <-ping
				pong <- v
			}
		}()
	}
	wg.Wait()
}
