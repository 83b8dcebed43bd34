// The Dapr Sentry certificate authority, unchanged: it issues the sidecars' and the
// control plane's mTLS certificates (their SPIFFE identities, which access control
// policies name).
package main

import "github.com/dapr/dapr/cmd/sentry/app"

func main() { app.Run() }
