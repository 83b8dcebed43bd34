// The Dapr sidecar injector, unchanged (Kubernetes only): the admission webhook that adds a
// daprd container to each pod annotated dapr.io/enabled.
package main

import "github.com/dapr/dapr/cmd/injector/app"

func main() { app.Run() }
