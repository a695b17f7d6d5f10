// Package config is gokeepalived's typed configuration: what the daemon,
// the address code and the dumps consume, with keepalived 2.2.7's defaults
// applied and its checks done. It holds no parser: package confparse turns
// keepalived.conf text into it.
package config
