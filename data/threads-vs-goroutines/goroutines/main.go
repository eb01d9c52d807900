// Command goroutines measures what a goroutine costs on the real Go runtime and prints
// one JSON object on stdout. It is the Go half of data/threads-vs-goroutines (the C
// half, threads.c, measures pthreads the same way); record.py runs both.
//
//	creation        `go f()` for N goroutines that then block, ns per goroutine; and
//	                spawn + run + exit of N trivial goroutines, ns per goroutine
//	memory          runtime.MemStats StackInuse and Sys growth per blocked goroutine
//	stack growth    N goroutines recurse to a depth and block; StackInuse growth per
//	                goroutine shows the stack doubling from the 2 KiB minimum
//	switch          ping-pong over two unbuffered channels, ns per one-way hand-off,
//	                at GOMAXPROCS=1 (same thread) and GOMAXPROCS=2 (may wake a thread)
//
// One process takes one sample of each figure, creation and memory first while the
// process is fresh (no recycled goroutines yet); record.py runs it several times.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"sync"
	"time"
)

func memstats() runtime.MemStats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms
}

// spawnBlocked starts n goroutines that each run body and then block until release is
// closed; it returns once all of them have reached the blocking point.
func spawnBlocked(n int, body func()) (release func(), elapsed time.Duration) {
	var ready sync.WaitGroup
	var done sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			body()
			ready.Done()
			<-gate
			done.Done()
		}()
	}
	elapsed = time.Since(start)
	ready.Wait()
	return func() { close(gate); done.Wait() }, elapsed
}

// frame is a recursion step with a fixed 256-byte local array so the stack used per
// level is known to within the call overhead.
//
//go:noinline
func frame(depth int, at func()) byte {
	var pad [256]byte
	pad[depth%256] = byte(depth)
	if depth == 0 {
		at()
		return pad[0]
	}
	return frame(depth-1, at) + pad[(depth+1)%256]
}

func pingpong(rounds int) float64 {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	start := time.Now()
	for i := 0; i < rounds; i++ {
		ping <- i
		<-pong
	}
	elapsed := time.Since(start)
	close(ping)
	<-pong
	return float64(elapsed.Nanoseconds()) / float64(2*rounds)
}

func main() {
	n := flag.Int("n", 100_000, "goroutines per creation/memory measurement")
	stackN := flag.Int("stack_n", 10_000, "goroutines per stack-growth measurement")
	rounds := flag.Int("rounds", 200_000, "ping-pong round trips")
	flag.Parse()

	out := map[string]any{
		"go_version": runtime.Version(),
		"gomaxprocs": runtime.GOMAXPROCS(0),
		"params":     map[string]int{"n": *n, "stack_n": *stackN, "rounds": *rounds},
	}

	// Creation: the cost of the `go` statements alone (newproc); the goroutines block.
	// Measured first, in a fresh process, so every G is new (malg(stackMin)), none recycled.
	before := memstats()
	release, elapsed := spawnBlocked(*n, func() {})
	after := memstats()
	out["create_blocked_ns"] = float64(elapsed.Nanoseconds()) / float64(*n)
	out["stack_inuse_per_goroutine_bytes"] = float64(after.StackInuse-before.StackInuse) / float64(*n)
	out["sys_per_goroutine_bytes"] = float64(after.Sys-before.Sys) / float64(*n)
	release()
	runtime.GC()

	// Spawn, run to completion and exit (exited Gs are recycled from the free list).
	var wg sync.WaitGroup
	wg.Add(*n)
	start := time.Now()
	for i := 0; i < *n; i++ {
		go wg.Done()
	}
	wg.Wait()
	out["create_run_exit_ns"] = float64(time.Since(start).Nanoseconds()) / float64(*n)

	// Stack growth: StackInuse growth per goroutine blocked inside a recursion of the
	// given depth (each level has 256 bytes of locals plus call overhead).
	growth := []map[string]any{}
	for _, depth := range []int{0, 4, 12, 28, 60, 124, 252} {
		runtime.GC()
		gate := make(chan struct{})
		var ready, done sync.WaitGroup
		ready.Add(*stackN)
		done.Add(*stackN)
		before := memstats()
		for i := 0; i < *stackN; i++ {
			go func() {
				frame(depth, func() { ready.Done(); <-gate })
				done.Done()
			}()
		}
		ready.Wait()
		after := memstats()
		close(gate)
		done.Wait()
		growth = append(growth, map[string]any{
			"depth":                     depth,
			"locals_bytes":              depth * 256,
			"stack_inuse_per_goroutine": float64(after.StackInuse-before.StackInuse) / float64(*stackN),
		})
	}
	out["stack_growth"] = growth

	// Switch cost: one-way hand-off over an unbuffered channel.
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		out[map[int]string{1: "chan_pingpong_gomaxprocs1_ns", 2: "chan_pingpong_gomaxprocs2_ns"}[procs]] = pingpong(*rounds)
		runtime.GOMAXPROCS(prev)
	}

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
