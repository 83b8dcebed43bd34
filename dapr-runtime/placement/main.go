// The Dapr placement service, unchanged.
package main

import "github.com/dapr/dapr/cmd/placement/app"

func main() { app.Run() }
