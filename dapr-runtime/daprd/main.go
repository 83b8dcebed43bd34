// daprd with only the components this project uses (see ../../dapr-components/).
// Upstream's daprd registers every component of components-contrib from
// init() functions behind the "stablecomponents"/"allcomponents" build tags; this
// build registers the few it needs by hand instead (scripts/dapr-binaries.sh
// blanks the package file that panics without those tags),
// which keeps the binary and the build time small.
package main

import (
	nrKubernetes "github.com/dapr/components-contrib/nameresolution/kubernetes"
	nrMdns "github.com/dapr/components-contrib/nameresolution/mdns"
	nrSqlite "github.com/dapr/components-contrib/nameresolution/sqlite"
	pubsubRedis "github.com/dapr/components-contrib/pubsub/redis"
	secretKubernetes "github.com/dapr/components-contrib/secretstores/kubernetes"
	stateRedis "github.com/dapr/components-contrib/state/redis"
	"github.com/dapr/dapr/cmd/daprd/app"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
	secretLoader "github.com/dapr/dapr/pkg/components/secretstores"
	stateLoader "github.com/dapr/dapr/pkg/components/state"
)

func main() {
	stateLoader.DefaultRegistry.RegisterComponent(stateRedis.NewRedisStateStore, "redis")
	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubRedis.NewRedisStreams, "redis")
	nrLoader.DefaultRegistry.RegisterComponent(nrMdns.NewResolver, "mdns")
	nrLoader.DefaultRegistry.RegisterComponent(nrSqlite.NewResolver, "sqlite")
	// The default on Kubernetes: an app id is the DNS name of its <app id>-dapr Service.
	nrLoader.DefaultRegistry.RegisterComponent(nrKubernetes.NewResolver, "kubernetes")
	// On Kubernetes, daprd always loads the built-in "kubernetes" secret store (the cluster's Secrets).
	secretLoader.DefaultRegistry.RegisterComponent(secretKubernetes.NewKubernetesSecretStore, "kubernetes")
	app.Run()
}
