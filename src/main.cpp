#include <iostream>

int main() {
  std::cout << "promwatch " << PROMWATCH_VERSION << '\n';
  return 0;
}
