module gmplab/goroutines

go 1.19
