// Package confparse reads keepalived configuration files the way keepalived
// 2.2.7 reads them and lowers them into typed, validated structures.
//
// Reading happens in three stages, each in its own files:
//
//   - Pre-processing (preprocess.go and friends): physical lines are read,
//     include directives followed, comments removed, @ conditionals applied,
//     $NAME parameters defined and substituted, ~SEQ and ~LST blocks expanded
//     and every line split at braces. The result is a list of logical Lines of
//     Tokens, each token carrying the file:line:column it came from.
//   - Grammar (grammar.go): a small generic statement/block grammar, written
//     with participle, over that token stream. It knows nothing of keywords.
//   - Lowering (lower_*.go): one small function per keyword family turns the
//     statement tree into a Config, applying keepalived's defaults and
//     validation rules. Every problem becomes a Diagnostic with a position.
//
// Nothing in this package is safe for concurrent use unless stated otherwise.
package confparse
