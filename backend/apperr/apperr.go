// Package apperr is the one error type the UI sees: a code, an i18n key with parameters and
// per-field keys. Domain code returns sentinels and wraps them; services turn expected
// conditions into *Error; anything else is internal and never shown verbatim.
package apperr

import (
	"errors"
	"fmt"
	"sort"
)

// Code classifies an error for callers (exit codes, HTTP status, UI treatment).
type Code string

// The codes.
const (
	Invalid     Code = "invalid"
	NotFound    Code = "not_found"
	Conflict    Code = "conflict"
	Forbidden   Code = "forbidden"
	Unavailable Code = "unavailable"
	Canceled    Code = "canceled"
	Internal    Code = "internal"
)

// Error is a user-facing error.
type Error struct {
	Code   Code              `json:"code"`
	Key    string            `json:"key"`
	Params map[string]any    `json:"params,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	// Msg is the English sentence for CLI and logs; the UI translates Key instead.
	Msg string `json:"message"`
	Err error  `json:"-"`
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg == "" {
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// New builds an error with an English message and an i18n key.
func New(code Code, key, msg string, params map[string]any) *Error {
	return &Error{Code: code, Key: key, Msg: msg, Params: params}
}

// Invalidf is a shorthand for a validation error.
func Invalidf(key string, params map[string]any, format string, a ...any) *Error {
	return &Error{Code: Invalid, Key: key, Params: params, Msg: fmt.Sprintf(format, a...)}
}

// NotFoundf is a shorthand for a missing object.
func NotFoundf(key string, params map[string]any, format string, a ...any) *Error {
	return &Error{Code: NotFound, Key: key, Params: params, Msg: fmt.Sprintf(format, a...)}
}

// FieldErrors is a validation error carrying one message key per field.
func FieldErrors(fields map[string]string, msgs map[string]string) *Error {
	msg := "some fields are invalid"
	names := make([]string, 0, len(msgs))
	for f := range msgs {
		names = append(names, f)
	}
	sort.Strings(names) // every field, in a stable order (one line for the CLI and logs)
	for i, f := range names {
		if i == 0 {
			msg = ""
		} else {
			msg += "; "
		}
		msg += f + ": " + msgs[f]
	}
	return &Error{Code: Invalid, Key: "errors.fields", Fields: fields, Msg: msg, Params: map[string]any{"count": len(fields)}}
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns the code of err (Internal if err is not an *Error, Canceled for context
// cancellation).
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	if errors.Is(err, ErrCanceled) {
		return Canceled
	}
	return Internal
}

// ErrCanceled marks work stopped by the user.
var ErrCanceled = &Error{Code: Canceled, Key: "errors.canceled", Msg: "canceled"}
