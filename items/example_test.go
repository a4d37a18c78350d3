package items_test

import (
	"fmt"
	"log"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/tasks"
)

// ExampleTaskSpec rebuilds a task from the value that travels on task
// ports.
func ExampleTaskSpec() {
	spec := items.TaskSpec{Name: "xor", Settings: tasks.Settings{Delay: 20}}
	task, err := spec.Task()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(task.Name(), task.Inputs(), "inputs,", task.Steps(), "steps")
	// Output:
	// xor 2 inputs, 300 steps
}
