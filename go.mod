module github.com/gokeepalived/gokeepalived

go 1.26.0

require (
	github.com/alecthomas/participle/v2 v2.1.4
	github.com/spf13/pflag v1.0.10
)
