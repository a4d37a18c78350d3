package expr_test

import (
	"fmt"

	"github.com/spikernn/spikernn/tasks/internal/expr"
)

func Example() {
	e, err := expr.Parse("if(s1 == s2, 1, -1) * amp")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Eval(&expr.Env{Vars: map[string]float64{"s1": 1, "s2": -1, "amp": 0.5}}))
	_, err = expr.Parse("s1 xor (s2 > 0")
	fmt.Println(err)
	// Output:
	// -0.5
	// col 15: want ), got end of expression
}
