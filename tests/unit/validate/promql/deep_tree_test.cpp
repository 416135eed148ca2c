// Issue 8, #3: a 9,999-term `or` chain (promtool accepts it) overflowed 2 MiB thread
// stacks, since the type check recursed along the whole spine and, through node::type(),
// along it again at every level. The walks are iterative now; these run them on a thread
// with a 2 MiB stack, the size pool threads get where `ulimit -s unlimited`.
#include <functional>
#include <pthread.h>
#include <string>

#include <doctest/doctest.h>

#include "validate/promql/ast.hpp"
#include "validate/promql/parser.hpp"

namespace promql = promwatch::validate::promql;

namespace {

/// Runs `f` to completion on a new thread with a `stack_bytes` stack.
void run_with_stack(std::size_t stack_bytes, const std::function<void()>& f) {
  pthread_attr_t attr;
  REQUIRE(pthread_attr_init(&attr) == 0);
  REQUIRE(pthread_attr_setstacksize(&attr, stack_bytes) == 0);
  pthread_t thread;
  auto* arg = const_cast<std::function<void()>*>(&f);
  const int rc = pthread_create(
      &thread, &attr,
      [](void* p) -> void* {
        (*static_cast<std::function<void()>*>(p))();
        return nullptr;
      },
      arg);
  pthread_attr_destroy(&attr);
  REQUIRE(rc == 0);
  REQUIRE(pthread_join(thread, nullptr) == 0);
}

std::string chain(std::string_view first, std::string_view op_term, int terms) {
  std::string out(first);
  for (int i = 1; i < terms; ++i)
    out += op_term;
  return out;
}

struct outcome {
  bool parsed = false;
  bool has_error = false;
  std::string message;
  promql::value_type type = promql::value_type::none;
};

outcome parse_on_small_stack(const std::string& expr) {
  outcome out;
  run_with_stack(2 * 1024 * 1024, [&] {
    auto r = promql::parse(expr);  // parsed, checked, typed and destroyed on that thread
    out.parsed = r.root != nullptr;
    out.has_error = r.error.has_value();
    if (r.error) out.message = r.error->message;
    if (r.root) out.type = r.root->type();
  });
  return out;
}

}  // namespace

TEST_CASE("a 9,999-term `or` chain validates on a 2 MiB stack") {
  const auto r = parse_on_small_stack(chain("up", " or up", 9999));
  CHECK(r.parsed);
  CHECK_MESSAGE(!r.has_error, r.message);
  CHECK(r.type == promql::value_type::vector);
}

TEST_CASE("a 10,000-term scalar chain types as scalar on a 2 MiB stack") {
  // node::type() of a scalar chain must look at every term: the case that made it
  // quadratic when the check asked it at every level.
  const auto r = parse_on_small_stack(chain("1", " + 1", 10000));
  CHECK_MESSAGE(!r.has_error, r.message);
  CHECK(r.type == promql::value_type::scalar);
  const auto parens = parse_on_small_stack(chain("(1)", " * -(2)", 5000));
  CHECK_MESSAGE(!parens.has_error, parens.message);
  CHECK(parens.type == promql::value_type::scalar);
}

TEST_CASE("one term past the tree-height bound is still rejected, on a 2 MiB stack") {
  const auto r = parse_on_small_stack(chain("up", " or up", promql::max_tree_height + 1));
  CHECK(r.has_error);
  CHECK(r.message.find("nesting too deep") != std::string::npos);
}

TEST_CASE("type errors deep in a long chain are found by the iterative check") {
  const std::string half = chain("up", " or up", 4000);
  const auto string_operand = parse_on_small_stack(half + " or \"x\" or " + half);
  CHECK(string_operand.has_error);
  CHECK(string_operand.message.find("binary expression must contain only scalar and instant "
                                    "vector types") != std::string::npos);
  const auto set_with_scalar = parse_on_small_stack(half + " or 1");
  CHECK(set_with_scalar.has_error);
  CHECK(set_with_scalar.message.find("set operator \"or\" not allowed in binary scalar "
                                     "expression") != std::string::npos);
  const auto bad_aggregation = parse_on_small_stack("sum(" + half + " or rate(up[5m])[5m:])");
  CHECK(bad_aggregation.has_error);
  const auto fine_call = parse_on_small_stack("abs(" + chain("up", " / up", 9000) + ")");
  CHECK_MESSAGE(!fine_call.has_error, fine_call.message);
}
