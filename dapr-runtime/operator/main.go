// The Dapr operator, unchanged (Kubernetes only): it serves the Dapr resources (components,
// configurations, subscriptions, resiliency) to the sidecars and makes each app's <app id>-dapr
// Service.
package main

import "github.com/dapr/dapr/cmd/operator/app"

func main() { app.Run() }
