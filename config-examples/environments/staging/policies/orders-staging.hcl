# orders in staging: its own secrets, and TLS certificates for its service name.
path "secret/data/orders/staging/*" {
  capabilities = ["read"]
}

path "secret/metadata/orders/staging/*" {
  capabilities = ["list"]
}

path "pki/issue/internal-services" {
  capabilities = ["update"]
  allowed_parameters = {
    "common_name" = ["orders.staging.svc.cluster.local"]
    "ttl"         = []
  }
}
