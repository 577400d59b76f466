package results

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Finite returns an error naming the first NaN or infinite number in v
// (structs, pointers, slices, arrays and maps of them, walked in order),
// by its JSON path; an element of a slice with a Name field is named by it
// (arms["aws-only"].cost.total). Every writer refuses such a value: JSON
// cannot hold it, and a CSV or table would show "NaN" as a figure.
func Finite(v any) error {
	if p, bad := firstNonFinite(reflect.ValueOf(v), ""); bad != "" {
		return fmt.Errorf("%s is %s, not a finite number: a model input out of range, or a bug (nothing is written)", strings.TrimPrefix(p, "."), bad)
	}
	return nil
}

func firstNonFinite(v reflect.Value, path string) (string, string) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return path, strconv.FormatFloat(f, 'g', -1, 64)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return firstNonFinite(v.Elem(), path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
				continue
			} else if tag != "" {
				name = tag
			}
			if p, bad := firstNonFinite(v.Field(i), path+"."+name); bad != "" {
				return p, bad
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			e := v.Index(i)
			at := path + "[" + strconv.Itoa(i) + "]"
			if n := nameOf(e); n != "" {
				at = path + "[" + strconv.Quote(n) + "]"
			}
			if p, bad := firstNonFinite(e, at); bad != "" {
				return p, bad
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		var found, bad string
		for iter.Next() {
			p, b := firstNonFinite(iter.Value(), path+"["+fmt.Sprint(iter.Key().Interface())+"]")
			if b != "" && (found == "" || p < found) { // the same error whatever the map order
				found, bad = p, b
			}
		}
		return found, bad
	}
	return "", ""
}

// nameOf returns the Name field of a struct (or pointer to one), if any.
func nameOf(v reflect.Value) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("Name"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}
