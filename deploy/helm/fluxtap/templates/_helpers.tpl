{{/* Chart name, possibly overridden. */}}
{{- define "fluxtap.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, unless the release name already contains the chart name. */}}
{{- define "fluxtap.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fluxtap.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "fluxtap.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component: include "fluxtap.selectorLabels" (list . "agent") */}}
{{- define "fluxtap.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "fluxtap.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "fluxtap.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fluxtap.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: include "fluxtap.image" (list . .Values.agent.image) */}}
{{- define "fluxtap.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 1 -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) }}
{{- end }}

{{/*
The agent's Linux capabilities, and nothing more (docs/OPERATIONS.md, "Capabilities"):
  NET_RAW, NET_ADMIN        capture, capture buffer size, promiscuous mode
  SYS_PTRACE, DAC_READ_SEARCH  read /proc/PID/fd and /proc/PID/ns/net of other users' processes (socket owner)
  SYS_ADMIN                 only with agent.tcpStats.allNamespaces: setns into other pods' network namespaces
*/}}
{{- define "fluxtap.agentCapabilities" -}}
- NET_RAW
- NET_ADMIN
- SYS_PTRACE
- DAC_READ_SEARCH
{{- if .Values.agent.tcpStats.allNamespaces }}
- SYS_ADMIN
{{- end }}
{{- end }}

{{/* The token's Secret: the chart's own when auth.token is given, else the operator's auth.existingSecret. */}}
{{- define "fluxtap.authSecretName" -}}
{{- if .Values.auth.token }}
{{- printf "%s-auth" (include "fluxtap.fullname" .) }}
{{- else }}
{{- .Values.auth.existingSecret }}
{{- end }}
{{- end }}

{{/* Kafka's security.protocol from the TLS and SASL switches. */}}
{{- define "fluxtap.kafkaSecurityProtocol" -}}
{{- if and .Values.kafka.tls.enabled .Values.kafka.sasl.enabled }}SASL_SSL
{{- else if .Values.kafka.tls.enabled }}SSL
{{- else if .Values.kafka.sasl.enabled }}SASL_PLAINTEXT
{{- else }}PLAINTEXT
{{- end }}
{{- end }}

{{/* True when the Kafka clients need a properties file (TLS, SASL or extra properties). */}}
{{- define "fluxtap.kafkaClientPropertiesNeeded" -}}
{{- if or .Values.kafka.tls.enabled .Values.kafka.sasl.enabled .Values.kafka.extraProperties }}true{{- end }}
{{- end }}

{{- define "fluxtap.kafkaClientConfigMapName" -}}
{{- printf "%s-kafka-client" (include "fluxtap.fullname" .) }}
{{- end }}

{{/* Environment shared by agent and aggregator: Kafka connection, properties file and token. */}}
{{- define "fluxtap.commonEnv" -}}
- name: FLUXTAP_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
{{- if include "fluxtap.kafkaClientPropertiesNeeded" . }}
- name: FLUXTAP_KAFKA_PROPERTIES_FILE
  value: /etc/fluxtap/kafka/client.properties
{{- end }}
{{- if .Values.auth.enabled }}
- name: FLUXTAP_AUTH_TOKEN_FILE
  value: /etc/fluxtap/auth/{{ .Values.auth.secretKey }}
{{- end }}
{{- end }}

{{/* Volume mounts shared by agent and aggregator (and the topics Job for the Kafka part). */}}
{{- define "fluxtap.kafkaVolumeMounts" -}}
{{- if include "fluxtap.kafkaClientPropertiesNeeded" . }}
- name: kafka-client
  mountPath: /etc/fluxtap/kafka
  readOnly: true
{{- end }}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.truststore.existingSecret }}
- name: kafka-truststore
  mountPath: /etc/fluxtap/kafka-secrets/truststore
  readOnly: true
{{- end }}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.keystore.existingSecret }}
- name: kafka-keystore
  mountPath: /etc/fluxtap/kafka-secrets/keystore
  readOnly: true
{{- end }}
{{- if .Values.kafka.sasl.enabled }}
- name: kafka-sasl
  mountPath: /etc/fluxtap/kafka-secrets/sasl
  readOnly: true
{{- end }}
{{- end }}

{{- define "fluxtap.kafkaVolumes" -}}
{{- if include "fluxtap.kafkaClientPropertiesNeeded" . }}
- name: kafka-client
  configMap:
    name: {{ include "fluxtap.kafkaClientConfigMapName" . }}
{{- end }}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.truststore.existingSecret }}
- name: kafka-truststore
  secret:
    secretName: {{ .Values.kafka.tls.truststore.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.keystore.existingSecret }}
- name: kafka-keystore
  secret:
    secretName: {{ .Values.kafka.tls.keystore.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- if .Values.kafka.sasl.enabled }}
- name: kafka-sasl
  secret:
    secretName: {{ .Values.kafka.sasl.jaas.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{- define "fluxtap.authVolumeMount" -}}
{{- if .Values.auth.enabled }}
- name: auth-token
  mountPath: /etc/fluxtap/auth
  readOnly: true
{{- end }}
{{- end }}

{{- define "fluxtap.authVolume" -}}
{{- if .Values.auth.enabled }}
- name: auth-token
  secret:
    secretName: {{ include "fluxtap.authSecretName" . }}
    defaultMode: 0440
    items:
      - key: {{ .Values.auth.secretKey }}
        path: {{ .Values.auth.secretKey }}
{{- end }}
{{- end }}

{{/* Settings that cannot work together fail the render, naming the setting. */}}
{{- define "fluxtap.validate" -}}
{{- $partitions := int .Values.kafka.topics.packets.partitions }}
{{- $replicas := int .Values.aggregator.replicas }}
{{- if gt $replicas $partitions }}
{{- fail (printf "aggregator.replicas (%d) exceeds kafka.topics.packets.partitions (%d): aggregator replicas share fluxtap.packets.v1 by partition, so the extra ones would sit idle. Add partitions first, or lower aggregator.replicas." $replicas $partitions) }}
{{- end }}
{{- if not .Values.kafka.bootstrapServers }}
{{- fail "kafka.bootstrapServers is empty: set it to the Kafka cluster's host:port list." }}
{{- end }}
{{- if and .Values.auth.enabled (not .Values.auth.token) (not .Values.auth.existingSecret) }}
{{- fail "auth.enabled needs auth.existingSecret (the name of a Secret holding the token) or auth.token." }}
{{- end }}
{{- if and .Values.kafka.sasl.enabled (not .Values.kafka.sasl.jaas.existingSecret) }}
{{- fail "kafka.sasl.enabled needs kafka.sasl.jaas.existingSecret: the name of a Secret holding sasl.jaas.config." }}
{{- end }}
{{- end }}
