;; A component whose exports take and return every kind of WAVE value, for `--invoke`
;; (canonical ABI by hand: one memory, a bump allocator as `realloc`, results wider than one
;; value returned through a return area at 0x100):
;;   flip(p: point) -> point                        record {x: s32, y: s32}: x and y swapped
;;   next(c: color) -> color                        enum {red, green, blue}: the next one
;;   grow(s: shape) -> shape                        variant {circle(u32), square(u32), dot}:
;;                                                  the payload doubled
;;   invert(p: perms) -> perms                      flags {read, write, exec}: complemented
;;   sum(l: list<u32>) -> u32                       the sum
;;   rev(l: list<u32>) -> list<u32>                 reversed
;;   greet(name: string) -> string                  "hello, " + name
;;   echo-opt(o: option<string>) -> option<string>  o
;;   check(n: u32) -> result<u32, string>           ok(2n) if n < 100, else err("too big")
;;   swap(t: tuple<u32, string>) -> tuple<string, u32>
;;   half(x: f64) -> f64
(component
  (core module $m
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 0x1000))
    (data (i32.const 0x200) "hello, ")
    (data (i32.const 0x210) "too big")
    ;; Bump allocation of `size` bytes aligned to `align`.
    (func $alloc (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (local.set $p
        (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                 (i32.sub (i32.const 0) (local.get $align))))
      (global.set $heap (i32.add (local.get $p) (local.get $size)))
      (local.get $p))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (call $alloc (local.get 2) (local.get 3)))
    (func (export "flip") (param $x i32) (param $y i32) (result i32)
      (i32.store (i32.const 0x100) (local.get $y))
      (i32.store offset=4 (i32.const 0x100) (local.get $x))
      (i32.const 0x100))
    (func (export "next") (param $c i32) (result i32)
      (i32.rem_u (i32.add (local.get $c) (i32.const 1)) (i32.const 3)))
    (func (export "grow") (param $case i32) (param $v i32) (result i32)
      (i32.store8 (i32.const 0x100) (local.get $case))
      (i32.store offset=4 (i32.const 0x100) (i32.mul (local.get $v) (i32.const 2)))
      (i32.const 0x100))
    (func (export "invert") (param $f i32) (result i32)
      (i32.and (i32.xor (local.get $f) (i32.const -1)) (i32.const 7)))
    (func (export "sum") (param $p i32) (param $n i32) (result i32)
      (local $s i32)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))
      (local.get $s))
    (func (export "rev") (param $p i32) (param $n i32) (result i32)
      (local $out i32) (local $i i32)
      (local.set $out (call $alloc (i32.const 4) (i32.shl (local.get $n) (i32.const 2))))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (i32.store
            (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
            (i32.load
              (i32.add (local.get $p)
                (i32.shl (i32.sub (i32.sub (local.get $n) (local.get $i)) (i32.const 1))
                         (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i32.store (i32.const 0x100) (local.get $out))
      (i32.store offset=4 (i32.const 0x100) (local.get $n))
      (i32.const 0x100))
    (func (export "greet") (param $p i32) (param $n i32) (result i32)
      (local $out i32)
      (local.set $out (call $alloc (i32.const 1) (i32.add (local.get $n) (i32.const 7))))
      (memory.copy (local.get $out) (i32.const 0x200) (i32.const 7))
      (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $p) (local.get $n))
      (i32.store (i32.const 0x100) (local.get $out))
      (i32.store offset=4 (i32.const 0x100) (i32.add (local.get $n) (i32.const 7)))
      (i32.const 0x100))
    (func (export "echo-opt") (param $case i32) (param $p i32) (param $n i32) (result i32)
      (i32.store8 (i32.const 0x100) (local.get $case))
      (i32.store offset=4 (i32.const 0x100) (local.get $p))
      (i32.store offset=8 (i32.const 0x100) (local.get $n))
      (i32.const 0x100))
    (func (export "check") (param $n i32) (result i32)
      (if (i32.lt_u (local.get $n) (i32.const 100))
        (then
          (i32.store8 (i32.const 0x100) (i32.const 0))
          (i32.store offset=4 (i32.const 0x100) (i32.mul (local.get $n) (i32.const 2))))
        (else
          (i32.store8 (i32.const 0x100) (i32.const 1))
          (i32.store offset=4 (i32.const 0x100) (i32.const 0x210))
          (i32.store offset=8 (i32.const 0x100) (i32.const 7))))
      (i32.const 0x100))
    (func (export "swap") (param $n i32) (param $p i32) (param $len i32) (result i32)
      (i32.store (i32.const 0x100) (local.get $p))
      (i32.store offset=4 (i32.const 0x100) (local.get $len))
      (i32.store offset=8 (i32.const 0x100) (local.get $n))
      (i32.const 0x100))
    (func (export "half") (param f64) (result f64)
      (f64.mul (local.get 0) (f64.const 0.5))))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))

  (type $point' (record (field "x" s32) (field "y" s32)))
  (export $point "point" (type $point'))
  (type $color' (enum "red" "green" "blue"))
  (export $color "color" (type $color'))
  (type $shape' (variant (case "circle" u32) (case "square" u32) (case "dot")))
  (export $shape "shape" (type $shape'))
  (type $perms' (flags "read" "write" "exec"))
  (export $perms "perms" (type $perms'))

  (func $flip (param "p" $point) (result $point)
    (canon lift (core func $i "flip") (memory $mem)))
  (func $next (param "c" $color) (result $color) (canon lift (core func $i "next")))
  (func $grow (param "s" $shape) (result $shape)
    (canon lift (core func $i "grow") (memory $mem)))
  (func $invert (param "p" $perms) (result $perms) (canon lift (core func $i "invert")))
  (func $sum (param "l" (list u32)) (result u32)
    (canon lift (core func $i "sum") (memory $mem) (realloc $realloc)))
  (func $rev (param "l" (list u32)) (result (list u32))
    (canon lift (core func $i "rev") (memory $mem) (realloc $realloc)))
  (func $greet (param "name" string) (result string)
    (canon lift (core func $i "greet") (memory $mem) (realloc $realloc)))
  (func $echo-opt (param "o" (option string)) (result (option string))
    (canon lift (core func $i "echo-opt") (memory $mem) (realloc $realloc)))
  (func $check (param "n" u32) (result (result u32 (error string)))
    (canon lift (core func $i "check") (memory $mem)))
  (export "flip" (func $flip))
  (export "next" (func $next))
  (export "grow" (func $grow))
  (export "invert" (func $invert))
  (export "sum" (func $sum))
  (export "rev" (func $rev))
  (export "greet" (func $greet))
  (export "echo-opt" (func $echo-opt))
  (func $swap (param "t" (tuple u32 string)) (result (tuple string u32))
    (canon lift (core func $i "swap") (memory $mem) (realloc $realloc)))
  (func $half (param "x" f64) (result f64) (canon lift (core func $i "half")))
  (export "check" (func $check))
  (export "swap" (func $swap))
  (export "half" (func $half)))
