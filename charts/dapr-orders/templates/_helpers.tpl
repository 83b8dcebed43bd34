{{/* Names, labels, images and the Redis and Dapr settings the templates share. */}}

{{/* The release's name prefix: the release name, with the chart name when it lacks it. */}}
{{- define "dapr-orders.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "dapr-orders.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dapr-orders
{{- end -}}

{{/* Labels that select one component's pods: dict "root" $ "component" "<name>". */}}
{{- define "dapr-orders.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference: dict "image" <registry, repository, tag> "suffix" "/<app>" "tag" <default tag>. */}}
{{- define "dapr-orders.image" -}}
{{- $repository := printf "%s%s" .image.repository (.suffix | default "") -}}
{{- if .image.registry -}}{{- $repository = printf "%s/%s" .image.registry $repository -}}{{- end -}}
{{- printf "%s:%s" $repository (.image.tag | default .tag | toString) -}}
{{- end -}}

{{/* host:port of Redis: the demo Redis's Service, or redis.host. */}}
{{- define "dapr-orders.redisHost" -}}
{{- if .Values.redis.enabled -}}
{{- printf "%s-redis:6379" (include "dapr-orders.fullname" .) -}}
{{- else -}}
{{- required "redis.host (host:port of your Redis) is needed when redis.enabled is false" .Values.redis.host -}}
{{- end -}}
{{- end -}}

{{/* The Secret and key that hold Redis's password. */}}
{{- define "dapr-orders.redisSecretName" -}}
{{- .Values.redis.auth.existingSecret | default (printf "%s-redis" (include "dapr-orders.fullname" .)) -}}
{{- end -}}
{{- define "dapr-orders.redisSecretKey" -}}
{{- if .Values.redis.auth.existingSecret -}}{{ .Values.redis.auth.existingSecretPasswordKey }}{{- else -}}password{{- end -}}
{{- end -}}

{{/*
The Secrets of an app's Dapr API token and app token (key "token", as Dapr expects):
dict "root" $ "app" "<app id>". One per app, unless existingSecret names one for all.
*/}}
{{- define "dapr-orders.apiTokenSecret" -}}
{{- .root.Values.dapr.apiToken.existingSecret | default (printf "%s-%s-dapr-api-token" (include "dapr-orders.fullname" .root) .app) -}}
{{- end -}}
{{- define "dapr-orders.appTokenSecret" -}}
{{- .root.Values.dapr.appToken.existingSecret | default (printf "%s-%s-app-api-token" (include "dapr-orders.fullname" .root) .app) -}}
{{- end -}}

{{/* The Secret of the operator token (key "token"). */}}
{{- define "dapr-orders.operatorTokenSecret" -}}
{{- .Values.dashboard.operatorToken.existingSecret | default (printf "%s-operator-token" (include "dapr-orders.fullname" .)) -}}
{{- end -}}

{{/* The name of the sidecars' Configuration. */}}
{{- define "dapr-orders.daprConfig" -}}
{{- include "dapr-orders.fullname" . -}}
{{- end -}}

{{/*
A Secret value that stays the same across upgrades: the value in the Secret already
in the cluster, else `value`, else a random one. dict "root" $ "secret" <name> "key" <key> "value" <given>.
(`helm template` sees no cluster, so it renders a new random value each time.)
*/}}
{{- define "dapr-orders.secretValue" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- if .value -}}
{{- .value | b64enc -}}
{{- else if and $existing (index ($existing.data | default dict) .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- randAlphaNum 32 | b64enc -}}
{{- end -}}
{{- end -}}
