module gmplab/workloads

go 1.19
