{{/* One NTB workload: ConfigMap, Deployment, Service, PDB, HPA, ServiceMonitor. */}}
{{- define "ntb-lib.workload" -}}
{{- $fullname := include "ntb-lib.fullname" . -}}
{{- $v := .root.Values -}}
{{- $resources := .svc.resources | default $v.resources -}}
{{- $config := include "ntb-lib.configData" . -}}
{{- /* An HPA owns the replica count, unless the workload opts out (autoscaling: false). */ -}}
{{- $autoscaled := and $v.autoscaling.enabled (ne .svc.autoscaling false) -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "ntb-lib.labels" . | nindent 4 }}
data:
  {{- $config | nindent 2 }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "ntb-lib.labels" . | nindent 4 }}
spec:
  {{- if not $autoscaled }}
  replicas: {{ .svc.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "ntb-lib.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels:
        {{- include "ntb-lib.labels" . | nindent 8 }}
      annotations:
        checksum/config: {{ $config | sha256sum }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ add $v.config.drainDelaySeconds $v.config.shutdownGraceSeconds 10 }}
      securityContext:
        {{- include "ntb-lib.podSecurityContext" . | nindent 8 }}
      containers:
        - name: {{ .name }}
          image: {{ include "ntb-lib.image" . }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          ports:
            - {name: grpc, containerPort: 50051, protocol: TCP}
            - {name: http-metrics, containerPort: 9464, protocol: TCP}
          envFrom:
            - configMapRef:
                name: {{ $fullname }}
          env:
            {{- include "ntb-lib.secretEnv" . | nindent 12 }}
          # Native gRPC probes on grpc.health.v1: SERVING only once the schema is at head
          # and the consumers run; NOT_SERVING while draining.
          startupProbe:
            grpc: {port: 50051}
            periodSeconds: 2
            failureThreshold: 60
          readinessProbe:
            grpc: {port: 50051}
            periodSeconds: 5
            failureThreshold: 1
          livenessProbe:
            grpc: {port: 50051}
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          resources:
            {{- toYaml $resources | nindent 12 }}
          securityContext:
            {{- include "ntb-lib.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
      volumes:
        - name: tmp
          emptyDir: {sizeLimit: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "ntb-lib.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "ntb-lib.selectorLabels" . | nindent 4 }}
  ports:
    - {name: grpc, port: 50051, targetPort: grpc, protocol: TCP, appProtocol: grpc}
    - {name: http-metrics, port: 9464, targetPort: http-metrics, protocol: TCP}
{{- if $v.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "ntb-lib.labels" . | nindent 4 }}
spec:
  minAvailable: {{ $v.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels:
      {{- include "ntb-lib.selectorLabels" . | nindent 6 }}
{{- end }}
{{- if $autoscaled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "ntb-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $fullname }}
  minReplicas: {{ $v.autoscaling.minReplicas }}
  maxReplicas: {{ $v.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $v.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- if and $v.serviceMonitor.enabled (.root.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "ntb-lib.labels" . | nindent 4 }}
    {{- with $v.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "ntb-lib.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http-metrics
      path: /metrics
      interval: {{ $v.serviceMonitor.interval }}
      # The labels the dashboards and rules group by (deploy/grafana, deploy/prometheus).
      relabelings:
        - sourceLabels: [__meta_kubernetes_pod_label_app_kubernetes_io_name]
          targetLabel: ntb_service
        - sourceLabels: [__meta_kubernetes_pod_label_ntb_io_part]
          targetLabel: ntb_part
{{- end }}
{{- end -}}
